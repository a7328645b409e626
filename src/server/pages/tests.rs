use super::*;

fn entry(minute: i64) -> Arc<Entry> {
    Entry::new(
        String::new(),
        Patterns::EachChannel,
        minute,
        Arc::default(),
        Arc::default(),
    )
}

#[test]
fn an_answer_is_kept_by_query_newest_first_and_bounded() {
    let mut c = PageCache::default();
    c.put("tz=UTC".into(), entry(10));
    assert_eq!(c.get("tz=UTC").unwrap().minute, 10);
    c.put("tz=UTC".into(), entry(9));
    assert_eq!(c.get("tz=UTC").unwrap().minute, 10, "never an older one");
    assert!(c.get("").is_none(), "another query");
    for i in 0..200 {
        c.put(format!("q{i}"), entry(12));
    }
    assert!(c.answers.len() <= PageCache::MAX, "bounded");
}

#[test]
fn a_page_is_gzipped_and_tagged_by_its_content() {
    let a = Rendered::new("<p>x</p>".repeat(1000));
    let b = Rendered::new("<p>y</p>".repeat(1000));
    assert_ne!(a.etag, b.etag);
    assert_eq!(a.etag, Rendered::new("<p>x</p>".repeat(1000)).etag);
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&a.gzip[..]), &mut plain)
        .unwrap();
    assert_eq!(plain.as_bytes(), &a.html[..]);
    assert!(a.gzip.len() * 10 < a.html.len());
}

#[tokio::test]
async fn the_worker_answers_refuses_when_full_and_stops() {
    let w = Worker::start("test").unwrap();
    assert_eq!(w.run(|| 6 * 7).await.unwrap(), 42);
    let (started, running) = std::sync::mpsc::channel::<()>();
    let (hold, wait) = std::sync::mpsc::channel::<()>();
    let blocked = w
        .submit(move || {
            started.send(()).unwrap();
            wait.recv().is_ok()
        })
        .unwrap();
    running.recv().unwrap();
    // One running, QUEUE waiting; the next is refused at once.
    let queued: Vec<_> = (0..Worker::QUEUE)
        .map(|_| w.submit(|| ()).unwrap())
        .collect();
    let refused = w.submit(|| ()).unwrap_err();
    assert_eq!(refused.0, StatusCode::SERVICE_UNAVAILABLE);
    hold.send(()).unwrap();
    assert!(blocked.await.unwrap());
    for r in queued {
        r.await.unwrap();
    }
    w.stop().await;
    assert!(w.run(|| ()).await.is_err(), "stopped");
}
