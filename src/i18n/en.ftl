# okx-monitor's words in English. Every message here has its twin in
# zh-CN.ftl, with the same placeables (a test holds the two together).
# Machine words (JSON keys, outcome and verdict codes, metric names) are
# never here.

## Channels: as a sentence names them, at the start of one, and in a table.

ch-chat = live chat
ch-chat-cap = Live chat
ch-chat-col = chat
ch-help_center = the help center
ch-help_center-cap = The help center
ch-help_center-col = help_center
ch-ticket = the support request form
ch-ticket-cap = The support request form
ch-ticket-col = ticket
ch-email = e-mail to support
ch-email-cap = E-mail to support
ch-email-col = email
ch-social = OKX's social accounts
ch-social-cap = OKX's social accounts
ch-social-col = social
ch-community = the community forums
ch-community-cap = The community forums
ch-community-col = community
ch-status = OKX's status API
ch-status-cap = OKX's status API
ch-status-col = status
ch-control = the control targets
ch-control-cap = The control targets
ch-control-col = control

## Outcomes as a person reads them.

outcome-up = up
outcome-degraded = degraded
outcome-down = down
outcome-throttled = throttled
outcome-blocked = blocked
outcome-maintenance = maintenance
outcome-unknown = unknown
no-data = no data
not-runnable = not runnable
not-probed = not probed

## Days and times.

day-short-1 = Mon
day-short-2 = Tue
day-short-3 = Wed
day-short-4 = Thu
day-short-5 = Fri
day-short-6 = Sat
day-short-7 = Sun
day-long-1 = Monday
day-long-2 = Tuesday
day-long-3 = Wednesday
day-long-4 = Thursday
day-long-5 = Friday
day-long-6 = Saturday
day-long-7 = Sunday
# "Tue 06:55"
day-time = { $day } { $time }
# A date further than a week away: "Mon 14 Dec".
date-short = { $weekday } { $day } { $month }
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
when-now = now, until { $end }
when-today = today { $range }, { $wait }
when-tomorrow = tomorrow { $range }, { $wait }
when-day = { $day } { $range }, { $wait }
wait-days = { $hours ->
    [0] in { $days } d
   *[other] in { $days } d { $hours } h
  }
wait-hours = in { $hours } h
wait-minutes = in { $minutes } min
# A window of the week: "Tue 14:00–16:00 (100.0%)".
window = { $day } { $from }–{ $to } ({ $percent }%)
seconds = { $n } s
lasted-hours = { $hours } h { $minutes } min
lasted-days = { $days } d { $hours } h
date-time = { $date } { $time }
minutes = { $n } min
milliseconds = { $n } ms
span-days = { $n }d
span-hours = { $n }h
span-minutes = { $n }m
span-seconds = { $n }s
span-millis = { $n }ms

## status

status-title = okx-monitor status · { $zone } · last { $window }
incidents-title = Incidents (time zone { $zone }, the last { $window }):
incidents-none = No incident: every channel answered throughout.
incident-ongoing = still going
col-state = STATE
col-start = STARTED
col-end = ENDED
col-lasted = LASTED
col-why = WHY
col-channel = CHANNEL
col-now = NOW
col-since = SINCE
col-avail = AVAIL
col-p50 = P50
col-p95 = P95
col-samples = SAMPLES
col-best = BEST TIMES
col-avoid = AVOID
col-check = CHECK
col-kind = KIND
col-outcome = OUTCOME
col-latency = LATENCY
col-detail = DETAIL
col-reason = REASON
col-schedule = SCHEDULE
col-timeout = TIMEOUT
col-slow = SLOW
col-target = TARGET
col-name = NAME
col-resolver = RESOLVER
col-answer = ANSWER
col-references = REFERENCE RESOLVERS
not-enough-data = not enough data
advice-okx-declares = OKX reports a disruption since { $since }: "{ $title }". Expect support to be slow to answer until OKX says it is over.
advice-okx-declares-now = OKX reports a disruption now: "{ $title }". Expect support to be slow to answer until OKX says it is over.
page-okx-declares = OKX reports a disruption: { $title }
notice-incident-title = OKX reports a disruption
notice-incident-text = OKX reports a disruption since { $at } ({ $zone }): "{ $title }". Expect support to be slow to answer.
advice-stale = No fresh data for { $channels } since { $since }: is the daemon running? What is shown is history, not now.
now-stale = no fresh data
local-network-line = local network (control checks): { $state }
path-closed-line = the way to { $channel }: closed on this network (its controls fail too), so its failures are not counted against OKX
page-path-closed = The way to { $channel } is closed on this network (its control checks fail too): its failures are not counted against OKX.
what-to-do = What to do now:
heatmap-availability = { $channel } — availability by hour of the week ({ $zone })
heatmap-latency = { $channel } — median latency by hour of the week ({ $zone })
heatmap-legend-availability = legend: # ≥99.5%  + ≥99%  ~ ≥95%  ! <95%  . fewer than { $min } samples
heatmap-legend-latency = legend: { $s0 } ≤{ $c0 } ms  { $s1 } ≤{ $c1 } ms  { $s2 } ≤{ $c2 } ms  { $s3 } slower  . fewer than { $min } samples

## status advice

advice-local-down = Every control check fails: this machine's network is down, so fix the connection first (router, VPN, Wi-Fi).
advice-use-chat = Use live chat now: it is { $state }.
advice-chat-is-use = Live chat is { $chat }; use { $channel } now: it is { $state }.
advice-use = Use { $channel } now: it is { $state }.
advice-none-answers = No support channel answers right now; try again at the next good window below.
advice-maintenance-planned = OKX plans maintenance: { $title }{ $span }.
advice-maintenance-ongoing = OKX announces ongoing maintenance: { $title }{ $span }.
maintenance-from-to = { " " }from { $from } to { $to }
maintenance-from = { " " }from { $from }
advice-short-history = Not enough history yet to name good times for { $channels } (every hour of a { $span }-hour window needs { $min } samples); keep the daemon running.
advice-best = Best time for { $channel }: { $when } ({ $percent }% available, median { $median }){ $avoided }.
advice-best-avoided = ; the one before falls in OKX's announced maintenance ({ $titles })
advice-avoid = Avoid { $when } ({ $percent }% available, median { $median }).
advice-any-time = { $channel } is as good at any hour: no time of the week was measurably better or worse over { $window }.
no-answer = no answer
word-or = or
# Between the items of a list.
list-sep = {", "}

## check, validate, import, export, wait, notify --test

no-check-named = there is no check named `{ $name }` in { $config }
validate-ok = configuration is valid: { $checks ->
    [one] 1 check
   *[other] { $checks } checks
  } in { $files ->
    [one] 1 file
   *[other] { $files } files
  }
not-runnable-here = not runnable on this machine: { $checks } { $why }
imported = imported { $total } samples: { $new } new, { $known } already there ({ $db })
cannot-open = cannot open { $file }
cannot-write-in = cannot write in { $dir }
cannot-write = cannot write { $file }
cannot-write-export = cannot write the export
wait-no-checks = no check of those channels in { $config }
wait-local-down = this machine's network is down
wait-none-yet = no channel answers yet
wait-progress = { $what }; tried { $checks ->
    [one] 1 check
   *[other] { $checks } checks
  }, next try in { $every } …
wait-local-still = this machine's network is down; still waiting
wait-works = { $channel } works now: use it.
wait-timeout = No support channel answered within the timeout.
notify-say-what = say what to do: `okx-monitor notify --test [NAME]` sends a test message
notify-no-sink-named = there is no [[notify]] named `{ $name }` in { $config }
notify-no-sinks = { $config } holds no [[notify]] sink
notify-delivered = { $name }: delivered
notify-not-delivered = { $name }: not delivered: { $why }
must-be-positive = must be longer than 0
unknown-tz = unknown time zone `{ $zone }` (use an IANA name such as Asia/Shanghai)
unknown-channel = unknown channel `{ $name }`
unknown-channel-use = unknown channel `{ $name }`; use one of { $all }
no-runtime = cannot start the async runtime
bad-now = OKX_MONITOR_NOW is `{ $value }`, not an instant such as 2026-12-03T08:00:00Z
no-signal = cannot watch { $signal }
unknown-lang = unknown language `{ $lang }`: use en or zh-CN
error-prefix = okx-monitor: { $error }

## diagnose

verdict-line = Verdict: { $summary }
verdict-ok = every channel is reachable
verdict-local_network = this machine's network is down
verdict-dns_failure = names do not resolve, while the network works
verdict-dns_tampering = your DNS answers for OKX disagree with every reference resolver
verdict-throttled = OKX refuses this machine (rate limit or bot challenge)
verdict-blocked = OKX refuses this network or region outright (HTTP 451 or 403)
verdict-okx_down = every OKX channel is down; your network works
verdict-channels_down = some support channels are down; others work
resolver-system = system
diag-maintenance = OKX announces ongoing maintenance: { $title }.
diag-next-window = From the recorded pattern, the next good time for live chat is { $when }.
diag-local-1 = Every control target fails too: the problem is this machine's connection, not OKX.
diag-local-2 = Check the cable or Wi-Fi, restart the router, and switch off any VPN or proxy.
diag-local-3 = Try another network, such as a phone's hotspot, then run diagnose again.
diag-dns-system = The system's DNS resolver answers for no OKX name, while the network works.
diag-dns-server = The DNS server { $server } answers for no OKX name, while the network works.
diag-dns-switch = Switch this machine or the router to another DNS resolver (for example 1.1.1.1 or 9.9.9.9), or restart the router.
diag-blocked = OKX refuses this network or region outright ({ $checks }): it answers, but does not serve this place. This is no outage, and waiting will not change it.
diag-okx-down-1 = Every OKX channel fails while the network works: the problem is on OKX's side.
diag-okx-down-2 = Nothing on this machine will fix it: wait, and check OKX's announcements on X from another device.
diag-tampered = Your DNS gives { $ours } for { $name }, which no reference resolver gives ({ $theirs }): your answers may be tampered with, a phishing and censorship risk.
diag-tampered-resolver = Use a trusted resolver (1.1.1.1, 9.9.9.9) or DNS over HTTPS before logging in.
diag-tampered-address = Check that the address bar shows https://www.okx.com with a valid certificate; never log in on a look-alike page.
diag-throttled = OKX refuses this machine ({ $checks }): a rate limit or a bot challenge, not an outage.
diag-throttled-wait = Wait { $wait } before trying again, and do not keep reloading the page.
diag-throttled-wait-some = Wait a few minutes before trying again, and do not keep reloading the page.
diag-throttled-browser = Open okx.com in a normal browser to pass the challenge; switch off a VPN or proxy that many people share.
diag-port-blocked-email = Outbound port { $port } is blocked on this network (most home and cloud networks block it), so OKX's mail servers cannot be greeted from here: that says nothing about OKX's mail. E-mail to support still works from your mail client, which does not send through port { $port }.
diag-path-closed = The way to { $channel } is closed on this network (the control checks that vouch for it failed too): that is no fault of OKX's.
diag-chat-itself = The website answers but live chat does not open: the chat itself fails, not your connection to OKX.
diag-not-working = Not working now: { $channels }.
diag-use = Use { $channel } now{ $tip }.
diag-tip-email = { " " }(write to the support address; the mail servers greet)
diag-tip-ticket = { " " }(the help center's request form)
diag-tip-social = { " " }(a direct message to OKX's official account; beware of impostors)

## Reasons: why a probe ended as it did (reason-<code>; the code and its
## parameters are data, these are their words). A parameter ending in _ms is
## a duration, already in words.

reason-text = { $text }
reason-ok = ok
reason-slow = slow: { $took_ms }, over { $limit_ms }
reason-local_network = { $why } (every control check failed too: this machine's network)
reason-port_closed = outbound port { $port } is blocked on this network ({ $why })
reason-path_closed = the way to this channel is closed on this network: its control checks failed too ({ $why })
reason-no_address = `{ $host }` has no address
reason-not_resolved = `{ $host }` did not resolve: { $error }
reason-nxdomain = `{ $name }` does not exist (NXDOMAIN from the system's DNS)
reason-nxdomain_at = `{ $name }` does not exist (NXDOMAIN from DNS server { $server })
reason-no_records = `{ $name }` has no such records at the system's DNS
reason-no_records_at = `{ $name }` has no such records at DNS server { $server }
reason-dns_no_answer = no answer from the system's DNS for `{ $name }`
reason-dns_no_answer_at = no answer from DNS server { $server } for `{ $name }`
reason-dns_no_answer_within = no answer for `{ $name }` within { $within_ms }
reason-dns_failed = `{ $name }` did not resolve through the system's DNS: { $error }
reason-dns_failed_at = `{ $name }` did not resolve through DNS server { $server }: { $error }
reason-dns_server_unusable = cannot use DNS server { $server }: { $error }
reason-dns_system_unreadable = cannot read the system's DNS configuration: { $error }
reason-dns_system_unusable = cannot use the system's DNS servers: { $error }
reason-dns_elsewhere = `{ $host }` resolved to { $addresses }, none of the expected addresses
reason-not_looked_up = not looked up
reason-no_address_to_connect = no address to connect to
reason-connect_refused = connection refused by { $addr }
reason-connect_timed_out = connecting to { $addr } timed out
reason-host_unreachable = { $addr } is unreachable (no route to the host)
reason-network_unreachable = { $addr } is unreachable (no route to its network)
reason-connection_reset = { $addr } reset the connection
reason-connect_failed = cannot connect to { $addr }: { $error }
reason-connection_broke = the connection broke: { $error }
reason-tls = TLS: { $error }
reason-tls_name = TLS: `{ $host }` is not a name a certificate can be checked for: { $error }
reason-tls_cert_expired = TLS: the server's certificate has expired
reason-tls_cert_not_yet_valid = TLS: the server's certificate is not valid yet
reason-tls_unknown_issuer = TLS: the server's certificate is from an issuer this machine does not trust
reason-tls_wrong_name = TLS: the server's certificate is for another name
reason-timeout = no answer within { $within_ms }
reason-timeout_connect = the connection did not complete within { $within_ms }
reason-timeout_no_answer = connected, but no answer came within { $within_ms }
reason-timeout_answer_incomplete = the answer did not complete within { $within_ms }
reason-request_invalid = the request cannot be made: { $error }
reason-bad_http = bad HTTP answer: { $error }
reason-body_broke_off = HTTP { $status }, then the body broke off: { $why }
reason-http_status = HTTP { $status }, expected { $expected }
reason-http_status_not_2xx = HTTP { $status }, expected 2xx
reason-http_451 = HTTP 451: unavailable for legal reasons in this place
reason-http_refuses_network = HTTP { $status }: this network is refused
reason-rate_limited = rate limited (HTTP 429)
reason-retry_after = HTTP 503 with Retry-After ({ $wait_ms })
reason-bot_challenge = bot challenge (HTTP { $status }, cf-mitigated)
reason-challenge_page = bot challenge page (HTTP { $status })
reason-redirect_scheme = redirect to a `{ $scheme }:` URL, not http or https
reason-redirect_loop = redirect loop
reason-too_many_redirects = more than { $max } redirects
reason-redirect_unfollowable = HTTP { $status } redirect that could not be followed
reason-body_lacks = the body does not contain “{ $text }”
reason-body_mismatch = the body does not match /{ $pattern }/
reason-body_not_json = the body is not JSON ({ $error })
reason-json_missing = JSON has nothing at `{ $pointer }`
reason-json_value = JSON `{ $pointer }` is { $found }, expected { $expected }
reason-page_not_served = the page says this place is not served: “{ $text }”
reason-page_not_the_page = the page is not the page: “{ $text }”
reason-no_handshake = no WebSocket handshake: { $error }
reason-cannot_send = cannot send: { $error }
reason-frame_too_large = frame too large: { $error }
reason-websocket = WebSocket: { $error }
reason-no_matching_frame = closed after { $frames } text frame(s), none matching /{ $pattern }/
reason-upgrade_refused = upgrade refused: { $why }
reason-upgrade_status = HTTP { $status }: the WebSocket upgrade was refused
reason-no_mx = `{ $domain }` has no MX records
reason-too_few_mx = `{ $domain }` has { $count } MX records, fewer than { $min }
reason-some_mx_failed = { $failed } of { $hosts } MX hosts failed; { $host }: { $why }
reason-no_mx_greeted = no MX host greeted; { $host }: { $why }
reason-greeted = greeted
reason-no_greeting_in_time = no greeting in time
reason-smtp_refused = the mail server greeted with { $code } { $text }
reason-smtp_closed = the server closed the connection without a reply
reason-smtp_line_too_long = a reply line longer than { $max } bytes
reason-smtp_mixed_codes = reply lines with different codes ({ $first } and { $then })
reason-smtp_too_many_lines = a reply of more than { $max } lines
reason-smtp_not_a_reply = not an SMTP reply: “{ $line }”
reason-okx_maintenance = OKX announces ongoing maintenance: { $title }
reason-okx_disruption = OKX reports a disruption: { $title }
reason-okx_scheduled = no maintenance now; { $count } scheduled
reason-okx_status_not_json = the status API's answer is not JSON ({ $error })
reason-okx_status_no_code = the status API's answer has no `code`
reason-okx_status_code = the status API answered code { $code }: { $msg }
reason-okx_status_no_data = the status API's answer has no `data` list
reason-okx_status_entry_not_object = an entry of the status API's `data` is not an object
reason-okx_status_no_state = a maintenance entry has no `state`
reason-no_browser = needs a Chromium, and none was found: install Debian's `chromium` (apt install chromium), or name one with `browser` in [settings]
reason-browser = browser: { $error }
reason-browser_stopped = the browser stopped answering
reason-page_did_not_load = the page did not load: { $error }
reason-page_refuses = the page refuses us: { $why }
reason-chat_socket_refused = the chat's WebSocket was refused: the page loads, the chat does not
reason-page_not_loaded_within = the page did not load within { $within_ms }
reason-selector_missing = `{ $selector }` did not appear within { $within_ms }
reason-click_opens_nothing = the chat button opens nothing: nothing new opened within { $within_ms }
reason-chat_not_opened = no matching WebSocket or frame opened within { $within_ms }: the page loads, the chat does not
reason-internal_unprepared = internal error: the prober was not built for this check
reason-internal_unfinished = internal error: the probe did not finish
reason-sink_refused = the service refused the connection
reason-sink_unreachable = the service could not be reached
reason-sink_failed = the request failed: { $error }
reason-sink_http_status = the service answered HTTP { $status }
reason-sink_mail_failed = mail ({ $part }): { $error }
dns-short-no-address = no address
dns-short-no-answer = no answer
dns-short-unreachable = unreachable
dns-short-failed = failed

## Notifications

notice-instead = { " " }{ $channel } works.
notice-local-title = This machine's network was down
notice-local-text = This machine's own network was down from { $from } to { $to } ({ $zone }); nothing was sent about OKX meanwhile.
notice-down-title = { $channel } is down
notice-down-text = { $channel } is down since { $at } ({ $zone }).{ $instead }
notice-still-down-text = { $channel } is still down since { $at } ({ $zone }).{ $instead }
notice-recovered-title = { $channel } is back
notice-recovered-text = { $channel } works again (it was down since { $at }, { $zone }).
notice-throttled-title = { $channel } refuses us
notice-throttled-text = OKX rate-limits or challenges this machine on { $words } since { $at } ({ $zone }): wait before trying again.{ $instead }
notice-blocked-title = { $channel } is blocked here
notice-blocked-text = OKX refuses this network on { $words } since { $at } ({ $zone }).{ $instead }
notice-maintenance-title = OKX maintenance: { $words }
notice-maintenance-text = OKX announces maintenance affecting { $words } since { $at } ({ $zone }).{ $instead }
notice-best-title = Good time for { $words }
notice-best-text = The best time of the week for { $words } starts at { $at } ({ $zone }): try it then.
notice-test-title = okx-monitor test
notice-test-text = This is a test from okx-monitor: notices will reach you here.

## The status page

page-title = okx-monitor: can OKX support be reached?
page-chat-works = Live chat works now
page-chat-is-use = Live chat is { $state }{ $since } — use { $channel }
page-since = { " " }since { $at }
page-works = { $channel } works now
page-none-answers = No support channel answers right now
page-local-down = This machine's network is down: OKX cannot be judged from here
page-no-data = No data yet: the daemon has not probed
page-generated = Generated { $at }:{ $seconds } · history of { $window } · this machine's network: { $network }
page-label = { $label }:{" "}
page-tz-label = Time zone
page-tz-button = Show
page-as-of = as of { $at }
page-stale-since = no fresh data since { $at }: is the daemon running?
page-incidents = Incidents
page-no-incidents = No incident in this window.
page-incident-ended = { $start } – { $end } ({ $lasted })
page-maintenance-line = { $title } ({ $state }) { $when }
maint-scheduled = scheduled
maint-ongoing = ongoing
maint-pre-open = over, trading not yet reopened
maint-completed = completed
maint-canceled = canceled
page-incident-open = since { $start }, still going ({ $lasted } so far)
page-legend-good = 99.5% or more
page-legend-fair = 95% to 99.5%
page-legend-poor = under 95% (crossed)
page-legend-faster = faster, under { $ms }
page-legend-typical = typical, up to { $ms }
page-legend-slow = slow, up to { $ms }
page-legend-slower = slower, over { $ms }
page-legend-refused = refused or maintenance
incident-name = { $channel } { $state }
sp-page-name = OKX support as seen from { $vantage }
sp-none = All Systems Operational
sp-minor = Minor Service Outage
sp-major = Partial System Outage
sp-critical = Major System Outage
feed-title = OKX support: incidents
page-not-measured = not measured
page-maintenance = Maintenance announced by OKX
page-channels = Channels
page-col-channel = Channel
page-col-now = Now
page-col-since = Since
page-col-available = Available
page-col-latency = p50 / p95
page-col-best = Best time
page-col-avoid = Avoid
page-next-good = Next good time: { $from } – { $to }
page-availability-grid = Availability by hour of the week
page-latency-grid = Median latency by hour of the week
page-cell-availability = { $percent }% of { $n } probes
page-last-day = The last 24 hours
page-last-day-label = outcomes of the last 24 hours
page-ago = { $hours } h { $minutes } min ago: { $what }

## Configuration errors (each follows "file:line:col: ")

cfg-cannot-read = cannot read { $path }: { $why }
cfg-second-settings = a second [settings] table; the config may hold only one, and { $first } has it
cfg-notify-name-used = [[notify]] name `{ $name }` is already used at { $first }; names must be unique
cfg-check-name-used = check name `{ $name }` is already used at { $first }; names must be unique
cfg-no-check = no [[check]] is defined
cfg-no-toml = the directory holds no *.toml file
cfg-default-schedule = the built-in default schedule does not parse: { $why }
cfg-slow-over-timeout = slow ({ $slow }) must not be longer than timeout ({ $timeout })
cfg-key-not-for-kind = `{ $key }` does not apply to a check of kind `{ $kind }` (only to { $kinds })
cfg-timeout-zero = timeout must be longer than 0ms
cfg-covers-not-control = `covers` belongs to control checks (channel = "control") only: it says which channels' network path the control vouches for
cfg-covers-channels = `covers` names the channels whose path this control vouches for: at least one, and not control
cfg-unknown-key = unknown field `{ $key }`, expected one of { $expected }
cfg-missing-key = missing field `{ $key }`
cfg-empty-selector = wait_for is an empty CSS selector
cfg-url-scheme-for-kind = a check of kind `{ $kind }` takes a { $scheme } URL, not `{ $url }`
cfg-bad-status = expect_status holds { $bad }, which is not an HTTP status (100–599)
cfg-empty-status = expect_status is empty; leave it out to accept any 2xx
cfg-json-value = json value at `{ $pointer }`: { $why }
cfg-extract-name = extract name `{ $name }` must match [a-z_][a-z0-9_]* (it becomes a metric label)
cfg-header-name = `{ $name }` is not a valid HTTP header name
cfg-header-env = header `{ $name }` takes its value from the environment variable `{ $var }`, which is not set
cfg-header-value = the value of header `{ $name }` is not a valid HTTP header value
cfg-json-pointer = `{ $pointer }` is not a JSON pointer (it must start with `/`, as in `/data/0/state`)
cfg-kind-needs = check `{ $check }` of kind `{ $kind }` needs `{ $key }`
cfg-unknown-kind = unknown kind `{ $kind }`; use one of { $kinds }
cfg-vantage = invalid vantage `{ $vantage }`: use 1 to 64 letters, digits, `_`, `-` or `.`
cfg-min-records = min_records must be at least 1
cfg-expect-addresses-empty = expect_addresses is empty; leave it out to accept any answer
cfg-notify-needs = [[notify]] `{ $name }` of kind `{ $kind }` needs `{ $key }`
cfg-notify-kind = unknown [[notify]] kind `{ $kind }`; use one of { $kinds }
cfg-key-not-for-sink = `{ $key }` does not apply to a [[notify]] of kind `{ $kind }` (only to { $kinds })
cfg-at-least-one = { $key } must be at least 1
cfg-smtp = invalid smtp `{ $smtp }`: expected host:port, as in `smtp.example.com:587`
cfg-tls = unknown tls `{ $tls }`; use starttls, tls or none
cfg-secret-env = the secret comes from the environment variable `{ $var }`, which is not set
cfg-duration = invalid duration: { $why }
cfg-schedule-fields = invalid schedule `{ $schedule }`: a cron expression here has 6 fields (sec min hour day month weekday), not { $fields }
cfg-schedule = invalid schedule `{ $schedule }`: { $why }
cfg-resolver = invalid resolver `{ $resolver }`: expected an IP address and port, as in `127.0.0.1:53`
cfg-listen = invalid listen address `{ $listen }`: expected an IP address and port, as in `127.0.0.1:9786`
cfg-check-name = invalid check name `{ $name }`: it must match [a-z0-9][a-z0-9_-]*
cfg-url = invalid URL `{ $url }`: { $why }
cfg-url-no-host = invalid URL `{ $url }`: it has no host
cfg-url-scheme = invalid URL `{ $url }`: scheme `{ $scheme }` is not http, https, ws or wss
cfg-body-regex = invalid body_regex: { $why }
cfg-expect = invalid expect: { $why }
cfg-expect-websocket = invalid expect_websocket: { $why }
cfg-expect-frame = invalid expect_frame: { $why }
cfg-fail-if = invalid fail_if: { $why }
cfg-blocked-if = invalid blocked_if: { $why }
cfg-domain = invalid domain `{ $domain }`
cfg-address = invalid address `{ $address }`: expected host:port, as in `1.1.1.1:443` or `[::1]:443`
cfg-min-samples = min_samples must be at least 1
cfg-browser-concurrency = browser_concurrency { $n } is not between 1 and 64
dur-no-unit = `{ $text }` has no unit (use ms, s, m, h or d)
dur-no-number = `{ $text }` does not start with a whole number
dur-too-large = `{ $text }` is too large
dur-unit = `{ $text }` has unit `{ $unit }`; use ms, s, m, h or d

## --web-config errors

web-cannot-read = cannot read it: { $why }
web-bcrypt = the password hash of user `{ $user }` is not a bcrypt hash ($2y$…)
web-one-of = tls_server_config needs exactly one of { $key } and { $other }
web-no-cert = tls_server_config: no certificate found
web-version = tls_server_config.{ $field } `{ $value }`: only TLS12 and TLS13 are supported
web-versions = tls_server_config: min_version is above max_version
web-client-ca = client_auth_type RequireAndVerifyClientCert needs client_ca_file
web-client-auth = client_auth_type `{ $value }` is not supported (use NoClientCert or RequireAndVerifyClientCert)
web-key-fit = tls_server_config: the key does not fit the certificate ({ $why })

## Database and Prometheus errors

db-error = database { $path }: { $why }
db-missing = database { $path } does not exist
db-not-ours = { $path } is not an okx-monitor database ({ $why }); name another file with --db or [settings] db
db-not-ours-other = it is the SQLite database of another program
db-not-ours-file = it is not an SQLite file
db-newer = database { $path } has schema version { $found }, newer than this okx-monitor knows ({ $known }); use a newer okx-monitor
import-line = { $source }:{ $line }: { $why }; nothing was imported
import-read = cannot read { $source }: { $why }
jsonl-json = { $why } (column { $column })
jsonl-ts = `ts` { $ts } is not an RFC 3339 time ({ $why })
jsonl-check = `check` { $check } is not a check name
jsonl-latency = `latency_ms` { $ms } is not a duration in milliseconds
unknown-outcome = unknown outcome `{ $name }`
daemon-listen = cannot listen on { $addr }: { $why }
daemon-writer = cannot start the database writer: { $why }
page-bad-window = invalid window `{ $window }`
page-bad-span = invalid span `{ $span }`: 1 to 168 hours
page-bad-parameter = unknown parameter `{ $name }`
prom-unreachable = cannot reach Prometheus at { $url }: { $why }
prom-answer = Prometheus at { $url } answered with an error: { $why }
prom-no-series = Prometheus at { $url } has no okx_monitor_probes_total series{ $which }; is it scraping okx-monitor?
prom-bad-url = invalid Prometheus URL `{ $url }`: use http(s)://host:port

## --help

help-about = Is OKX support reachable, through which channel, and when is the best time to try?
help-run = The daemon: schedule every check, store every result, serve /metrics, /healthz and the status page.
help-check = Run every check (or those named by --only) once, now, and print the outcomes.
help-status = Per channel: the state now, availability and latency, the best and worst times to contact support.
help-diagnose = "I can't reach support": is it this machine's network, its DNS, a block, or OKX?
help-validate = Check the configuration alone.
help-import = Import samples from JSON Lines (all or nothing).
help-export = Export every sample as JSON Lines.
help-wait = Tell me when I can reach support: wait until a channel answers.
help-config-command = The built-in checks: `config dump DIR` writes them as editable files.
help-config-dump = Write the built-in checks into DIR as editable files; never overwrites.
arg-config-dump-dir = The directory to write them into (created when missing).
help-explain = Run one check once and show what it saw, to pin it to what the real site does.
help-notify = Notices: `--test [NAME]` sends a test message through every sink (or one).
help-config = A directory of *.toml check definitions, or one file (default: checks/ when it exists here, else the built-in checks).
config-built-in = the built-in checks
dump-exists = { $path } exists already: nothing was written (dump into an empty directory, or remove it first)
dump-done = wrote the built-in checks into { $dir }: { $files }
validate-source = read from { $source }
help-lang = The language of what people read: en or zh-CN (default: from LC_ALL, LC_MESSAGES, LANG).

## --help for each option (arg-COMMAND-OPTION)

arg-run-listen = Address of /metrics, /healthz and the pages (default: [settings] listen, else 127.0.0.1:9786).
arg-run-db = The SQLite database (default: [settings] db, else okx-monitor.db).
arg-run-log_format = Log lines as text, or as JSON objects for log collectors. `RUST_LOG` filters.
arg-run-vantage = Where this instance probes from; labels every metric (default: [settings] vantage, else "default").
arg-run-web_config = TLS and basic authentication for every page, in the format of Prometheus's exporter-toolkit web configuration file.
arg-run-max_per_host = Probes of one host at once.
arg-check-only = Run only this check (repeatable).
arg-check-format = Output format.
arg-check-concurrency = How many probes run at once.
arg-status-db = The database (default: [settings] db, else okx-monitor.db).
arg-status-window = How much history to read (e.g. 7d, 28d, 400d).
arg-status-tz = Time zone of the hours shown (IANA name; default: [settings] timezone, else the system's).
arg-status-span = Length of a contact window, in hours.
arg-status-channels = Only this channel (repeatable).
arg-status-format = Output format.
arg-status-incidents = The incidents of the window instead (spans of down, blocked or throttled), newest first.
arg-status-heatmap = A 7×24 hour-of-week grid of availability and latency per channel.
arg-status-prometheus = Read the history from this Prometheus (http(s)://host:port) instead of the local database.
arg-status-vantage = With --prometheus: only this vantage (default: every vantage, summed).
arg-diagnose-format = Output format.
arg-diagnose-db = The database whose recorded pattern names the next good time (default: [settings] db); diagnose works without one.
arg-validate-format = Output format.
arg-import-file = JSON Lines to import; `-` is standard input.
arg-import-db = The database (default: [settings] db, else okx-monitor.db); created when missing.
arg-export-file = Where to write; `-` or nothing is standard output.
arg-export-db = The database (default: [settings] db, else okx-monitor.db).
arg-wait-channels = Wait for this channel (repeatable; default: every OKX channel).
arg-wait-every = How often to try.
arg-wait-timeout = Give up after this long (exit 1); default: never.
arg-explain-check = The check to run and explain.
arg-explain-format = Output format.
explain-redirects = redirects: { $chain }
explain-final-url = final URL: { $url }
explain-title = page title: { $title }
explain-decided-by = decided by: { $rule }
explain-nothing-opened = The page opened no WebSocket and no frame.
explain-before-click = before the click
explain-after-click = after the click
explain-failed = failed
explain-counted = the chat
explain-col-when = WHEN
explain-col-kind = KIND
explain-col-status = STATUS
explain-col-chat = COUNTED
explain-col-url = URL
explain-pinned = The check pinned to what the click opened (paste it over the one in checks/):
explain-no-pin = Nothing the page opened counted as the chat, so there is nothing to pin it to.
arg-notify-test = Send a test message.
arg-notify-name = Only this [[notify]] sink.
