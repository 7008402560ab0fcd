//! Benchmark: `facteur headers` of a 1 MB message with 50 Received lines
//! (goal: ≤ 50 ms), beside its anchor measured in the same run: parsing
//! the same bytes with mail-parser alone (what any reader pays). Run:
//! `cargo bench --bench headers`.

use std::time::Instant;

use facteur::explain::Lang;
use facteur::explain::message::{explain_message, render};

fn message() -> Vec<u8> {
    let mut m = String::new();
    for i in (0..50).rev() {
        m.push_str(&format!(
            "Received: from relay{i}.example.org (relay{i}.example.org [192.0.2.{i}])\r\n\
             \tby relay{}.example.org (Postfix) with ESMTPS id 4Y{i:04}Abc\r\n\
             \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\
             \tfor <marc@wanadoo.fr>; Mon, 2 Dec 2024 10:{:02}:00 +0100\r\n",
            i + 1,
            i
        ));
    }
    m.push_str(
        "Authentication-Results: mx.example.org; dkim=pass header.d=free.fr; spf=pass smtp.mailfrom=free.fr; dmarc=pass\r\n\
         DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=free.fr; s=sel; h=from:to:subject; bh=abc=; b=def=\r\n\
         From: =?UTF-8?B?SsOpcsO0bWUgRHVwb250?= <jerome@free.fr>\r\nTo: marc@wanadoo.fr\r\n\
         Subject: gros\r\nDate: Mon, 2 Dec 2024 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbonjour\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    while m.len() < 1 << 20 {
        m.push_str(
            "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZUR\r\n",
        );
    }
    m.push_str("--b--\r\n");
    m.into_bytes()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let raw = message();
    let runs = 21;
    let mut ours = Vec::new();
    let mut anchor = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let parsed = mail_parser::MessageParser::default().parse(&raw);
        std::hint::black_box(parsed.map(|m| m.parts.len()));
        anchor.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let report = explain_message(Lang::Fr, &raw);
        std::hint::black_box(render(Lang::Fr, &report).len());
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(report.hops.len(), 50);
    }
    let (o, a) = (median(ours), median(anchor));
    println!(
        "facteur headers, {:.1} MB with 50 Received: median {o:.2} ms; mail-parser alone {a:.2} ms (×{:.1}); goal ≤ 50 ms",
        raw.len() as f64 / 1e6,
        o / a.max(1e-9)
    );
}
