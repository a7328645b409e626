# okx-monitor 的简体中文文案。每条消息都与 en.ftl 一一对应，占位符相同
# （有测试把两者绑在一起）。机器用的词（JSON 键、结果码和结论码、指标名）
# 不在这里。

## 渠道：句中的叫法、句首的叫法、表格里的叫法。

ch-chat = 在线客服
ch-chat-cap = 在线客服
ch-chat-col = 在线客服
ch-help_center = 帮助中心
ch-help_center-cap = 帮助中心
ch-help_center-col = 帮助中心
ch-ticket = 工单
ch-ticket-cap = 工单
ch-ticket-col = 工单
ch-email = 客服邮箱
ch-email-cap = 客服邮箱
ch-email-col = 客服邮箱
ch-social = OKX 官方社交媒体
ch-social-cap = OKX 官方社交媒体
ch-social-col = 社交媒体
ch-community = 社区论坛
ch-community-cap = 社区论坛
ch-community-col = 社区论坛
ch-status = OKX 系统公告
ch-status-cap = OKX 系统公告
ch-status-col = 系统公告
ch-control = 网络自检
ch-control-cap = 网络自检
ch-control-col = 网络自检

## 结果（给人看的说法）。

outcome-up = 正常
outcome-degraded = 缓慢
outcome-down = 不可用
outcome-throttled = 被限流
outcome-blocked = 本地区不可用
outcome-maintenance = 维护中
outcome-unknown = 未知
no-data = 暂无数据
not-runnable = 无法运行
not-probed = 未探测

## 日期与时间。

day-short-1 = 周一
day-short-2 = 周二
day-short-3 = 周三
day-short-4 = 周四
day-short-5 = 周五
day-short-6 = 周六
day-short-7 = 周日
day-long-1 = 周一
day-long-2 = 周二
day-long-3 = 周三
day-long-4 = 周四
day-long-5 = 周五
day-long-6 = 周六
day-long-7 = 周日
day-time = { $day } { $time }
date-short = { $month }{ $day }日 { $weekday }
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月
when-now = 就是现在，到 { $end } 为止
when-today = 今天 { $range }，{ $wait }
when-tomorrow = 明天 { $range }，{ $wait }
when-day = { $day } { $range }，{ $wait }
wait-days = { $hours ->
    [0] { $days } 天后
   *[other] { $days } 天 { $hours } 小时后
  }
wait-hours = { $hours } 小时后
wait-minutes = { $minutes } 分钟后
window = { $day } { $from }–{ $to }（{ $percent }%）
seconds = { $n } 秒
lasted-hours = { $hours } 小时 { $minutes } 分钟
lasted-days = { $days } 天 { $hours } 小时
date-time = { $date } { $time }
minutes = { $n } 分钟
milliseconds = { $n } 毫秒
span-days = { $n } 天
span-hours = { $n } 小时
span-minutes = { $n } 分钟
span-seconds = { $n } 秒
span-millis = { $n } 毫秒

## status

status-title = okx-monitor 状态 · { $zone } · 最近 { $window }
incidents-title = 故障记录（时区 { $zone }，最近 { $window }）：
incidents-none = 没有故障：所有渠道一直有回应。
incident-ongoing = 仍在持续
col-state = 状态
col-start = 开始
col-end = 结束
col-lasted = 持续
col-why = 原因
col-channel = 渠道
col-now = 当前
col-since = 始于
col-avail = 可用率
col-p50 = P50
col-p95 = P95
col-samples = 样本数
col-best = 最佳时段
col-avoid = 避开
col-check = 检查项
col-kind = 类型
col-outcome = 结果
col-latency = 延迟
col-detail = 详情
col-reason = 原因
col-schedule = 计划
col-timeout = 超时
col-slow = 慢阈值
col-target = 目标
col-name = 域名
col-resolver = 解析器
col-answer = 解析结果
col-references = 参考解析器
not-enough-data = 数据不足
advice-okx-declares = OKX 自己公告了一次故障，从{ $since }开始：“{ $title }”。故障结束前，客服回复会比较慢。
advice-okx-declares-now = OKX 自己公告了一次正在发生的故障：“{ $title }”。故障结束前，客服回复会比较慢。
page-okx-declares = OKX 公告了故障：{ $title }
notice-incident-title = OKX 公告了故障
notice-incident-text = OKX 公告了一次故障，从 { $at }（{ $zone }）开始：“{ $title }”。客服回复会比较慢。
advice-stale = { $channels }从{ $since }起没有新数据：守护进程还在运行吗？下面显示的是历史，不是现在的状态。
now-stale = 数据过期
local-network-line = 本机网络（网络自检）：{ $state }
path-closed-line = 通往{ $channel }的路：在这个网络上被堵住了（网络自检也失败），这些失败不算在 OKX 头上
page-path-closed = 这个网络通往{ $channel }的路被堵住了（网络自检也失败）：这些失败不算在 OKX 头上。
what-to-do = 现在该怎么做：
heatmap-availability = { $channel } — 一周各小时的可用率（{ $zone }）
heatmap-latency = { $channel } — 一周各小时的延迟中位数（{ $zone }）
heatmap-legend-availability = 图例：# ≥99.5%  + ≥99%  ~ ≥95%  ! <95%  . 样本少于 { $min } 个
heatmap-legend-latency = 图例：{ $s0 } ≤{ $c0 } 毫秒  { $s1 } ≤{ $c1 } 毫秒  { $s2 } ≤{ $c2 } 毫秒  { $s3 } 更慢  . 样本少于 { $min } 个

## status 建议

advice-local-down = 网络自检全部失败了：是这台机器的网络断了，请先把网络修好（路由器、VPN、Wi-Fi）。
advice-use-chat = 在线客服现在能用（{ $state }），直接找它。
advice-chat-is-use = 在线客服目前{ $chat }；现在请改用{ $channel }：状态{ $state }。
advice-use = 现在请用{ $channel }：状态{ $state }。
advice-none-answers = 目前没有任何客服渠道有回应；请在下面列出的下一个好时段再试。
advice-maintenance-planned = OKX 计划维护：{ $title }{ $span }。
advice-maintenance-ongoing = OKX 公告正在维护：{ $title }{ $span }。
maintenance-from-to = ，从{ $from }到{ $to }
maintenance-from = ，从{ $from }开始
advice-short-history = { $channels }的历史数据还不够，暂时说不出好时段（{ $span } 小时窗口内每个小时都需要 { $min } 个样本）；请让守护进程继续运行。
advice-best = { $channel }的最佳时段：{ $when }（可用率 { $percent }%，延迟中位数 { $median }）{ $avoided }。
advice-best-avoided = ；更早的那一次赶上 OKX 公告的维护（{ $titles }），已跳过
advice-avoid = 请避开{ $when }（可用率 { $percent }%，延迟中位数 { $median }）。
advice-any-time = { $channel }在任何时段都一样好：过去 { $window } 里，一周中没有哪个时段明显更好或更差。
no-answer = 无响应
word-or = 或
list-sep = 、

## check、validate、import、export、wait、notify --test

no-check-named = { $config } 中没有名为 `{ $name }` 的检查项
validate-ok = 配置有效：{ $files } 个文件中共 { $checks } 个检查项
not-runnable-here = 这台机器上无法运行：{ $checks } { $why }
no-browser = 需要 Chromium，但没有找到：请安装 Debian 的 `chromium`（apt install chromium），或在 [settings] 中用 `browser` 指定一个
imported = 已导入 { $total } 个样本：新增 { $new } 个，已存在 { $known } 个（{ $db }）
cannot-open = 无法打开 { $file }
cannot-write-in = 无法在 { $dir } 中写入
cannot-write = 无法写入 { $file }
cannot-write-export = 无法写出导出文件
wait-no-checks = { $config } 中没有这些渠道的检查项
wait-local-down = 这台机器的网络断了
wait-none-yet = 还没有渠道回应
wait-progress = { $what }；已尝试 { $checks } 个检查项，{ $every } 后再试 …
wait-local-still = 这台机器的网络断了；继续等待
wait-works = { $channel }现在可以用了：请马上联系。
wait-timeout = 在等待时限内没有任何客服渠道回应。
notify-say-what = 请说明要做什么：`okx-monitor notify --test [名称]` 会发送一条测试消息
notify-no-sink-named = { $config } 中没有名为 `{ $name }` 的 [[notify]]
notify-no-sinks = { $config } 中没有任何 [[notify]] 通知渠道
notify-delivered = { $name }：已送达
notify-not-delivered = { $name }：未送达：{ $why }
must-be-positive = 必须大于 0
unknown-tz = 未知时区 `{ $zone }`（请使用 IANA 名称，例如 Asia/Shanghai）
unknown-channel = 未知渠道 `{ $name }`
unknown-channel-use = 未知渠道 `{ $name }`；可用的有 { $all }
no-runtime = 无法启动异步运行时
bad-now = OKX_MONITOR_NOW 的值 `{ $value }` 不是时刻，应写成 2026-12-03T08:00:00Z 这样的格式
no-signal = 无法监听信号 { $signal }
unknown-lang = 未知语言 `{ $lang }`：请用 en 或 zh-CN
error-prefix = okx-monitor：{ $error }

## diagnose

verdict-line = 结论：{ $code } — { $summary }
verdict-ok = 所有渠道都能访问
verdict-local_network = 这台机器的网络断了
verdict-dns_failure = 网络正常，但域名解析不出来
verdict-dns_tampering = 你的 DNS 对 OKX 域名的解析与所有参考解析器都不一致
verdict-throttled = OKX 拒绝了这台机器（限流或人机验证）
verdict-blocked = OKX 直接拒绝为这个网络或地区提供服务（HTTP 451 或 403）
verdict-okx_down = OKX 所有渠道都不可用；你的网络没问题
verdict-channels_down = 部分客服渠道不可用，其他渠道正常
resolver-system = 系统
diag-maintenance = OKX 公告正在维护：{ $title }。
diag-next-window = 根据历史规律，在线客服下一个好时段是{ $when }。
diag-local-1 = 网络自检也全部失败：问题出在这台机器的网络连接上，而不是 OKX。
diag-local-2 = 检查网线或 Wi-Fi，重启路由器，并关掉 VPN 或代理。
diag-local-3 = 换一个网络试试，比如手机热点，然后再运行一次 diagnose。
diag-dns-system = 网络正常，但系统的 DNS 解析器解析不出任何 OKX 域名。
diag-dns-server = 网络正常，但 DNS 服务器 { $server } 解析不出任何 OKX 域名。
diag-dns-switch = 把这台机器或路由器换成别的 DNS 解析器（例如 1.1.1.1 或 9.9.9.9），或者重启路由器。
diag-blocked = OKX 直接拒绝为这个网络或地区提供服务（{ $checks }）：它有回应，但不服务这里。这不是故障，等待也不会改变。
diag-okx-down-1 = 网络正常，但 OKX 所有渠道都失败了：问题在 OKX 那边。
diag-okx-down-2 = 在这台机器上做什么都解决不了：请耐心等待，并用另一台设备查看 OKX 在 X 上的公告。
diag-tampered = 你的 DNS 把 { $name } 解析为 { $ours }，而没有任何参考解析器给出这个结果（它们给出 { $theirs }）：解析结果可能被篡改，有钓鱼和审查风险。
diag-tampered-resolver = 登录之前，请改用可信的解析器（1.1.1.1、9.9.9.9）或 DNS over HTTPS。
diag-tampered-address = 确认地址栏显示的是 https://www.okx.com 且证书有效；千万不要在仿冒页面上登录。
diag-throttled = OKX 拒绝了这台机器（{ $checks }）：这是限流或人机验证，不是故障。
diag-throttled-wait = 请等 { $wait } 再试，不要反复刷新页面。
diag-throttled-wait-some = 请等几分钟再试，不要反复刷新页面。
diag-throttled-browser = 用普通浏览器打开 okx.com 完成验证；关掉多人共用的 VPN 或代理。
diag-port-blocked-email = 这个网络封锁了出站 { $port } 端口（大多数家庭宽带和云服务器都会封），所以从这里连不上 OKX 的邮件服务器；这不说明 OKX 的邮箱有问题。用邮件客户端给客服写信照样能发出去，它不走 { $port } 端口。
diag-path-closed = 这个网络通往{ $channel }的路被堵住了（替它作证的网络自检也失败了）：不是 OKX 的问题。
diag-chat-itself = 网站能打开，但在线客服打不开：是客服系统本身出了问题，不是你连不上 OKX。
diag-not-working = 目前不可用：{ $channels }。
diag-use = 现在请用{ $channel }{ $tip }。
diag-tip-email = （给客服邮箱写信；邮件服务器有响应）
diag-tip-ticket = （帮助中心里的工单表单）
diag-tip-social = （私信 OKX 官方账号；小心冒充者）

## 通知

notice-instead = { $channel }可以用。
notice-local-title = 这台机器的网络曾经中断
notice-local-text = 这台机器自己的网络从 { $from } 到 { $to }（{ $zone }）中断了；期间没有发送任何关于 OKX 的通知。
notice-down-title = { $channel }不可用
notice-down-text = { $channel }从 { $at }（{ $zone }）起不可用。{ $instead }
notice-still-down-text = { $channel }从 { $at }（{ $zone }）起仍然不可用。{ $instead }
notice-recovered-title = { $channel }恢复了
notice-recovered-text = { $channel }恢复了，可以联系了（此前自 { $at } 起中断，{ $zone }）。
notice-throttled-title = { $channel }限制了访问
notice-throttled-text = 从 { $at }（{ $zone }）起，OKX 在{ $words }上对这台机器限流或要求人机验证：请稍后再试。{ $instead }
notice-blocked-title = { $channel }在本地区不可用
notice-blocked-text = 从 { $at }（{ $zone }）起，OKX 在{ $words }上拒绝这个网络。{ $instead }
notice-maintenance-title = OKX 维护：{ $words }
notice-maintenance-text = OKX 公告从 { $at }（{ $zone }）起的维护影响{ $words }。{ $instead }
notice-best-title = 联系{ $words }的好时机
notice-best-text = 一周中联系{ $words }的最佳时段从 { $at }（{ $zone }）开始：到时再试。
notice-test-title = okx-monitor 测试
notice-test-text = 这是 okx-monitor 发出的测试消息：以后的通知会发到这里。

## 状态页

page-title = okx-monitor：现在能联系上 OKX 客服吗？
page-chat-works = 在线客服现在可以用
page-chat-is-use = 在线客服{ $state }{ $since } — 请改用{ $channel }
page-since = （从{ $at }起）
page-works = { $channel }现在可以用
page-none-answers = 目前没有任何客服渠道有回应
page-local-down = 这台机器的网络断了：现在无法从这里判断 OKX 的情况
page-no-data = 还没有数据：守护进程尚未探测
page-generated = 生成于{ $at }:{ $seconds } · 历史 { $window } · 本机网络：{ $network }
page-label = { $label }：
page-tz-label = 时区
page-tz-button = 切换
page-as-of = 数据时间{ $at }
page-stale-since = 自{ $at }起没有新数据：守护进程还在运行吗？
page-incidents = 故障记录
page-no-incidents = 这段时间内没有故障。
page-incident-ended = { $start } – { $end }（持续 { $lasted }）
page-incident-open = 从 { $start } 起，仍在持续（已 { $lasted }）
page-legend-good = 99.5% 及以上
page-legend-fair = 95% 到 99.5%
page-legend-poor = 低于 95%（打叉）
page-legend-faster = 较快，低于 { $ms }
page-legend-typical = 一般，不超过 { $ms }
page-legend-slow = 较慢，不超过 { $ms }
page-legend-slower = 很慢，超过 { $ms }
page-legend-refused = 被拒绝或维护中
incident-name = { $channel }{ $state }
sp-page-name = 从 { $vantage } 看到的 OKX 客服
sp-none = 所有服务运行正常
sp-minor = 部分服务有轻微故障
sp-major = 部分系统故障
sp-critical = 系统严重故障
feed-title = OKX 客服：故障记录
page-not-measured = 未测量
page-maintenance = OKX 公告的维护
page-channels = 渠道
page-col-channel = 渠道
page-col-now = 当前
page-col-since = 始于
page-col-available = 可用率
page-col-latency = p50 / p95
page-col-best = 最佳时段
page-col-avoid = 避开
page-next-good = 下一个好时段：{ $from } – { $to }
page-availability-grid = 一周各小时的可用率
page-latency-grid = 一周各小时的延迟中位数
page-cell-availability = { $n } 次探测中 { $percent }% 成功
page-last-day = 最近 24 小时
page-last-day-label = 最近 24 小时的探测结果
page-ago = { $hours } 小时 { $minutes } 分钟前：{ $what }

## 配置错误（都跟在“文件:行:列: ”之后）

cfg-cannot-read = 无法读取 { $path }：{ $why }
cfg-second-settings = 出现了第二个 [settings] 表；配置中只能有一个，{ $first } 里已经有了
cfg-notify-name-used = [[notify]] 名称 `{ $name }` 已在 { $first } 使用；名称不能重复
cfg-check-name-used = 检查项名称 `{ $name }` 已在 { $first } 使用；名称不能重复
cfg-no-check = 没有定义任何 [[check]]
cfg-no-toml = 该目录中没有 *.toml 文件
cfg-default-schedule = 内置的默认计划无法解析：{ $why }
cfg-slow-over-timeout = slow（{ $slow }）不能比 timeout（{ $timeout }）长
cfg-key-not-for-kind = `{ $key }` 不适用于类型为 `{ $kind }` 的检查项（只适用于 { $kinds }）
cfg-timeout-zero = timeout 必须大于 0ms
cfg-covers-not-control = `covers` 只能用于网络自检（channel = "control"）：它说明这项自检替哪些渠道的网络路径作证
cfg-covers-channels = `covers` 要列出这项自检作证的渠道：至少一个，且不能是 control
cfg-unknown-key = 未知的键 `{ $key }`；应为 { $expected } 之一
cfg-missing-key = 缺少键 `{ $key }`
cfg-empty-selector = wait_for 是一个空的 CSS 选择器
cfg-url-scheme-for-kind = 类型为 `{ $kind }` 的检查项需要 { $scheme } URL，而不是 `{ $url }`
cfg-bad-status = expect_status 中的 { $bad } 不是 HTTP 状态码（100–599）
cfg-empty-status = expect_status 为空；不写它就表示接受任何 2xx
cfg-json-value = `{ $pointer }` 处的 json 值：{ $why }
cfg-extract-name = extract 名称 `{ $name }` 必须符合 [a-z_][a-z0-9_]*（它会成为指标标签）
cfg-header-name = `{ $name }` 不是合法的 HTTP 头名称
cfg-header-env = 请求头 `{ $name }` 的值取自环境变量 `{ $var }`，但该变量没有设置
cfg-header-value = 请求头 `{ $name }` 的值不是合法的 HTTP 头值
cfg-json-pointer = `{ $pointer }` 不是 JSON 指针（必须以 `/` 开头，例如 `/data/0/state`）
cfg-kind-needs = 类型为 `{ $kind }` 的检查项 `{ $check }` 需要 `{ $key }`
cfg-unknown-kind = 未知类型 `{ $kind }`；可用的有 { $kinds }
cfg-vantage = 无效的 vantage `{ $vantage }`：请使用 1 到 64 个字母、数字、`_`、`-` 或 `.`
cfg-min-records = min_records 至少为 1
cfg-expect-addresses-empty = expect_addresses 为空；不写它即可接受任何解析结果
cfg-notify-needs = 类型为 `{ $kind }` 的 [[notify]] `{ $name }` 需要 `{ $key }`
cfg-notify-kind = 未知的 [[notify]] 类型 `{ $kind }`；可用的有 { $kinds }
cfg-key-not-for-sink = `{ $key }` 不适用于类型为 `{ $kind }` 的 [[notify]]（只适用于 { $kinds }）
cfg-at-least-one = { $key } 至少为 1
cfg-smtp = 无效的 smtp `{ $smtp }`：应为 主机:端口，例如 `smtp.example.com:587`
cfg-tls = 未知的 tls `{ $tls }`；可用的有 starttls、tls 或 none
cfg-secret-env = 密钥取自环境变量 `{ $var }`，但该变量没有设置
cfg-duration = 无效的时长：{ $why }
cfg-schedule-fields = 无效的计划 `{ $schedule }`：这里的 cron 表达式有 6 个字段（秒 分 时 日 月 星期），而不是 { $fields } 个
cfg-schedule = 无效的计划 `{ $schedule }`：{ $why }
cfg-resolver = 无效的解析器 `{ $resolver }`：应为 IP 地址加端口，例如 `127.0.0.1:53`
cfg-listen = 无效的监听地址 `{ $listen }`：应为 IP 地址加端口，例如 `127.0.0.1:9786`
cfg-check-name = 无效的检查项名称 `{ $name }`：必须符合 [a-z0-9][a-z0-9_-]*
cfg-url = 无效的 URL `{ $url }`：{ $why }
cfg-url-no-host = 无效的 URL `{ $url }`：没有主机名
cfg-url-scheme = 无效的 URL `{ $url }`：协议 `{ $scheme }` 不是 http、https、ws 或 wss
cfg-body-regex = 无效的 body_regex：{ $why }
cfg-expect = 无效的 expect：{ $why }
cfg-expect-websocket = 无效的 expect_websocket：{ $why }
cfg-expect-frame = 无效的 expect_frame：{ $why }
cfg-fail-if = 无效的 fail_if：{ $why }
cfg-blocked-if = 无效的 blocked_if：{ $why }
cfg-domain = 无效的域名 `{ $domain }`
cfg-address = 无效的地址 `{ $address }`：应为 主机:端口，例如 `1.1.1.1:443` 或 `[::1]:443`
cfg-min-samples = min_samples 至少为 1
cfg-browser-concurrency = browser_concurrency 的值 { $n } 不在 1 到 64 之间
dur-no-unit = `{ $text }` 没有单位（请用 ms、s、m、h 或 d）
dur-no-number = `{ $text }` 不是以整数开头
dur-too-large = `{ $text }` 太大了
dur-unit = `{ $text }` 的单位是 `{ $unit }`；请用 ms、s、m、h 或 d

## --web-config 错误

web-cannot-read = 无法读取：{ $why }
web-bcrypt = 用户 `{ $user }` 的密码哈希不是 bcrypt 哈希（$2y$…）
web-one-of = tls_server_config 需要 { $key } 和 { $other } 二者之一，且只能有一个
web-no-cert = tls_server_config：没有找到证书
web-version = tls_server_config.{ $field } `{ $value }`：只支持 TLS12 和 TLS13
web-versions = tls_server_config：min_version 高于 max_version
web-client-ca = client_auth_type RequireAndVerifyClientCert 需要 client_ca_file
web-client-auth = 不支持 client_auth_type `{ $value }`（请用 NoClientCert 或 RequireAndVerifyClientCert）
web-key-fit = tls_server_config：私钥与证书不匹配（{ $why }）

## 数据库与 Prometheus 错误

db-error = 数据库 { $path }：{ $why }
db-missing = 数据库 { $path } 不存在
db-not-ours = { $path } 不是 okx-monitor 的数据库（{ $why }）；请用 --db 或 [settings] db 指定别的文件
db-not-ours-other = 它是别的程序的 SQLite 数据库
db-not-ours-file = 它不是 SQLite 文件
db-newer = 数据库 { $path } 的结构版本是 { $found }，比这个 okx-monitor 认识的（{ $known }）更新；请使用更新版本的 okx-monitor
import-line = { $source }:{ $line }：{ $why }；没有导入任何数据
import-read = 无法读取 { $source }：{ $why }
jsonl-json = { $why }（第 { $column } 列）
jsonl-ts = `ts` { $ts } 不是 RFC 3339 时间（{ $why }）
jsonl-check = `check` { $check } 不是合法的检查项名称
jsonl-latency = `latency_ms` { $ms } 不是以毫秒计的时长
unknown-outcome = 未知结果 `{ $name }`
daemon-listen = 无法监听 { $addr }：{ $why }
daemon-writer = 无法启动数据库写入线程：{ $why }
page-bad-window = 无效的时间范围 `{ $window }`
page-bad-span = 无效的窗口长度 `{ $span }`：应为 1 到 168 小时
page-bad-parameter = 未知参数 `{ $name }`
prom-unreachable = 无法连接 { $url } 上的 Prometheus：{ $why }
prom-answer = { $url } 上的 Prometheus 返回了错误：{ $why }
prom-no-series = { $url } 上的 Prometheus 没有 okx_monitor_probes_total 序列{ $which }；它在抓取 okx-monitor 吗？
prom-bad-url = 无效的 Prometheus URL `{ $url }`：请使用 http(s)://主机:端口

## --help

help-about = 现在能联系上 OKX 客服吗？通过哪个渠道？什么时候最容易联系上？
help-run = 守护进程：按计划运行每个检查项，保存每个结果，提供 /metrics、/healthz 和状态页。
help-check = 立即把每个检查项（或 --only 指定的）运行一次，并打印结果。
help-status = 按渠道显示：当前状态、可用率和延迟，以及联系客服的最佳和最差时段。
help-diagnose = “联系不上客服”：是本机网络、DNS、地区限制，还是 OKX 的问题？
help-validate = 只检查配置。
help-import = 从 JSON Lines 导入样本（要么全部导入，要么一个都不导入）。
help-export = 把所有样本导出为 JSON Lines。
help-wait = 能联系上客服时告诉我：一直等到有渠道回应。
help-config-command = 内置检查项：`config dump 目录` 把它们写成可编辑的文件。
help-config-dump = 把内置检查项写入目录，成为可编辑的文件；绝不覆盖已有文件。
arg-config-dump-dir = 写入的目录（不存在时会创建）。
help-explain = 运行一个检查项一次，并列出它看到的一切，好让检查项对准真实网站的做法。
help-notify = 通知：`--test [名称]` 通过每个通知渠道（或指定的一个）发送测试消息。
help-config = 检查项定义（*.toml）所在的目录，或单个文件（默认：当前目录下有 checks/ 就用它，否则用内置检查项）。
config-built-in = 内置检查项
dump-exists = { $path } 已经存在：什么都没有写（请导出到空目录，或先把它移走）
dump-done = 已把内置检查项写入 { $dir }：{ $files }
validate-source = 读取自：{ $source }
help-lang = 给人看的文字所用的语言：en 或 zh-CN（默认取自 LC_ALL、LC_MESSAGES、LANG）。

## 每个选项的 --help（arg-命令-选项）

arg-run-listen = /metrics、/healthz 和状态页的监听地址（默认取 [settings] listen，否则为 127.0.0.1:9786）。
arg-run-db = SQLite 数据库（默认取 [settings] db，否则为 okx-monitor.db）。
arg-run-log_format = 日志格式：文本，或供日志收集器使用的 JSON。用 `RUST_LOG` 过滤。
arg-run-vantage = 本实例的探测位置，会成为每个指标的标签（默认取 [settings] vantage，否则为 `default`）。
arg-run-web_config = 所有页面的 TLS 和基本认证，格式与 Prometheus exporter-toolkit 的 web 配置文件相同。
arg-run-max_per_host = 同一主机同时进行的探测数。
arg-check-only = 只运行这个检查项（可重复）。
arg-check-format = 输出格式。
arg-check-concurrency = 同时进行的探测数。
arg-status-db = 数据库（默认取 [settings] db，否则为 okx-monitor.db）。
arg-status-window = 读取多长的历史（例如 7d、28d、400d）。
arg-status-tz = 显示时间所用的时区（IANA 名称；默认取 [settings] timezone，否则为系统时区）。
arg-status-span = 联系时段的长度（小时）。
arg-status-channels = 只看这个渠道（可重复）。
arg-status-format = 输出格式。
arg-status-incidents = 改为列出这段时间内的故障记录（不可用、本地区不可用或被限流的时段），最新的在前。
arg-status-heatmap = 每个渠道一周 7×24 小时的可用率和延迟网格。
arg-status-prometheus = 从这个 Prometheus（http(s)://主机:端口）读取历史，而不是本地数据库。
arg-status-vantage = 配合 --prometheus：只看这个探测位置（默认：所有位置合计）。
arg-diagnose-format = 输出格式。
arg-diagnose-db = 用来给出下一个好时段的历史数据库（默认取 [settings] db）；没有它 diagnose 也能工作。
arg-validate-format = 输出格式。
arg-import-file = 要导入的 JSON Lines 文件；`-` 表示标准输入。
arg-import-db = 数据库（默认取 [settings] db，否则为 okx-monitor.db）；不存在时会创建。
arg-export-file = 写到哪里；`-` 或不写表示标准输出。
arg-export-db = 数据库（默认取 [settings] db，否则为 okx-monitor.db）。
arg-wait-channels = 等待这个渠道（可重复；默认：所有 OKX 渠道）。
arg-wait-every = 多久尝试一次。
arg-wait-timeout = 等这么久后放弃（退出码 1）；默认：一直等。
arg-explain-check = 要运行并解释的检查项。
arg-explain-format = 输出格式。
explain-redirects = 跳转：{ $chain }
explain-final-url = 最终网址：{ $url }
explain-title = 页面标题：{ $title }
explain-decided-by = 判定依据：{ $rule }
explain-nothing-opened = 页面没有打开任何 WebSocket 或框架。
explain-before-click = 点击前
explain-after-click = 点击后
explain-failed = 失败
explain-counted = 就是客服
explain-col-when = 时机
explain-col-kind = 类型
explain-col-status = 状态
explain-col-chat = 算作客服
explain-col-url = 网址
explain-pinned = 对准点击后打开内容的检查项（把它粘贴到 checks/ 里替换原来的）：
explain-no-pin = 页面打开的东西没有一个算作客服，所以没有可对准的目标。
arg-notify-test = 发送一条测试消息。
arg-notify-name = 只用这个 [[notify]] 通知渠道。
