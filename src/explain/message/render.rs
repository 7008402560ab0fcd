//! A message report as text and as annotations: the fields, the hops with
//! their delays, the MIME tree (what `facteur headers` prints and the TUI's
//! route view shows).

use super::*;

/// A duration in words, rounded as a person says it: 7 s, 3 min 2 s,
/// 2 h 5 min, 1 d 2 h 9 min.
pub fn duration(lang: Lang, secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let d = if lang == Lang::Fr { "j" } else { "d" };
    let body = if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {} s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    } else {
        format!(
            "{} {d} {} h {} min",
            s / 86_400,
            s % 86_400 / 3600,
            s % 3600 / 60
        )
    };
    format!("{sign}{body}")
}

/// The report as text, for `facteur headers`.
pub fn render(lang: Lang, r: &MessageReport) -> String {
    let mut out = String::new();
    render_into(lang, r, 0, &mut out);
    out
}

fn render_into(lang: Lang, r: &MessageReport, depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    let mut line = |s: String| {
        for l in s.lines() {
            out.push_str(&pad);
            out.push_str(l);
            out.push('\n');
        }
    };
    line(format!("== {} ==", text(lang, "msg.title")));
    for f in &r.fields {
        line(format!("{}: {}", f.name, f.raw));
        if let Some(d) = &f.decoded {
            line(format!("    = {d}"));
        }
        line(format!("    {}", f.note.render()));
        for d in &f.details {
            line(format!("      {}", d.render()));
        }
    }
    if !r.blank_line {
        let a = Annotation::from_key(lang, 0..0, "", "msg.no_blank", &[], Severity::Mistake);
        line(a.render());
    }
    if !r.hops.is_empty() {
        line(String::new());
        line(format!("== {} ==", text(lang, "msg.hops")));
        for (i, h) in r.hops.iter().enumerate() {
            line(fill(
                lang,
                "msg.hop",
                &[&(i + 1), &h.from, &h.by, &hop_with(lang, h)],
            ));
            for note in hop_notes(lang, h) {
                line(format!("    {note}"));
            }
            if let Some(t) = h.time {
                let mut l = format!("    {}", crate::proto::date::rfc5322(t, h.zone));
                let key = if i == 0 && r.from_date {
                    "msg.delay_date"
                } else {
                    "msg.delay"
                };
                match h.delay {
                    Some(d) if d < 0 => l.push_str(&format!(" — {}", text(lang, "msg.negative"))),
                    Some(d) => {
                        l.push_str(&format!(" — {}", fill(lang, key, &[&duration(lang, d)])))
                    }
                    None => l.push_str(&format!(" — {}", text(lang, "msg.first"))),
                }
                if let Some(from) = h.delay_from {
                    l.push_str(&format!(
                        " ({})",
                        fill(lang, "recv.delay_from_last", &[&from])
                    ));
                }
                line(l);
            }
        }
        if let Some(t) = r.total {
            line(fill(lang, "msg.total", &[&duration(lang, t)]));
        }
    }
    for n in &r.trace_notes {
        line(format!(
            "ℹ {}",
            fill(lang, "recv.trace_note", &[&visible_str(n)])
        ));
    }
    if !r.mime.is_empty() {
        line(String::new());
        line(format!("== {} ==", text(lang, "msg.mime")));
        for n in &r.mime {
            line(format!("{}{}", "  ".repeat(n.depth), mime_line(n)));
            let key = format!("mime.type.{}", n.content_type);
            let key = if crate::explain::catalog::entry(&key).is_none()
                && n.content_type.starts_with("image/")
            {
                "mime.type.image".to_string()
            } else {
                key
            };
            if crate::explain::catalog::entry(&key).is_some() {
                line(format!("{}  ℹ {}", "  ".repeat(n.depth), text(lang, &key)));
            }
        }
    }
    if !r.dsn.is_empty() {
        line(String::new());
        line(format!("== {} ==", text(lang, "dsn.title")));
        for a in &r.dsn {
            line(a.render());
        }
    }
    for inner in &r.attached {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&format!("== {} ==\n", text(lang, "msg.attached")));
        render_into(lang, inner, depth + 1, out);
    }
}

/// What a hop's Received field says beyond "from … by … with …": what the
/// client claimed and what the server saw, the software, TLS, the
/// authenticated sender, the queue id, the envelope recipient, an
/// unreadable date.
pub fn hop_notes(lang: Lang, h: &Hop) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = &h.claimed {
        out.push(fill(lang, "recv.claimed", &[&visible_str(c)]));
    }
    match (&h.seen_name, &h.seen_ip) {
        (Some(n), Some(ip)) => out.push(fill(lang, "recv.seen", &[&visible_str(n), ip])),
        (None, Some(ip)) => out.push(fill(lang, "recv.seen_ip", &[ip])),
        _ => {}
    }
    if h.by.contains(':') && h.by.parse::<std::net::Ipv6Addr>().is_ok() {
        out.push(fill(lang, "recv.ipv6_internal", &[&h.by]));
    }
    if let Some(p) = &h.product {
        out.push(fill(lang, "recv.product", &[&visible_str(p)]));
    }
    if let Some(t) = &h.tls {
        let (v, c) = t.split_once(' ').unwrap_or((t, ""));
        out.push(fill(
            lang,
            "recv.tls",
            &[&crate::explain::tls::version_words(v), &visible_str(c)],
        ));
    }
    if let Some(a) = &h.auth_sender {
        out.push(fill(lang, "recv.auth_sender", &[&visible_str(a)]));
    }
    if let Some(via) = &h.via {
        out.push(fill(lang, "recv.via", &[&visible_str(via)]));
    }
    if let Some(id) = &h.id {
        out.push(fill(lang, "recv.id", &[&visible_str(id)]));
    }
    if let Some(f) = &h.for_ {
        out.push(fill(lang, "recv.for", &[&visible_str(f)]));
    }
    if let Some(d) = &h.bad_date {
        out.push(fill(lang, "recv.bad_date", &[&visible_str(d)]));
    }
    out
}

/// The protocol of a hop (`with ESMTPSA`), in words.
pub fn hop_with(lang: Lang, h: &Hop) -> String {
    match &h.with {
        Some(w) => {
            let key = ["recv.type.", "recv.with."]
                .iter()
                .map(|p| format!("{p}{w}"))
                .find(|k| crate::explain::catalog::entry(k).is_some());
            match key {
                Some(k) => format!("{w} = {}", text(lang, &k)),
                None => fill(lang, "recv.with.other", &[w]),
            }
        }
        None => "?".into(),
    }
}

/// One MIME part in a line: type, charset, encoding, disposition, file, size.
pub fn mime_line(n: &MimeNode) -> String {
    let mut line = n.content_type.clone();
    if let Some(c) = &n.charset {
        line.push_str(&format!("; charset={c}"));
    }
    if let Some(e) = &n.encoding {
        line.push_str(&format!(", {e}"));
    }
    if let Some(d) = &n.disposition {
        line.push_str(&format!(", {d}"));
    }
    if let Some(f) = &n.filename {
        line.push_str(&format!(" \"{}\"", visible_str(f)));
    }
    match n.decoded {
        Some(d) => line.push_str(&format!(" ({} → {d} octets)", n.size)),
        None => line.push_str(&format!(" ({} octets)", n.size)),
    }
    line
}

/// The route of a message as annotations (one per hop, oldest first, then
/// the total), for the TUI's explanation of a message read by POP3.
pub fn route_annotations(lang: Lang, r: &MessageReport) -> Vec<Annotation> {
    let mut out = Vec::new();
    for (i, h) in r.hops.iter().enumerate() {
        let with = h.with.clone().unwrap_or_else(|| "?".into());
        let mut body = fill(lang, "msg.hop", &[&(i + 1), &h.from, &h.by, &with]);
        if let Some(d) = h.delay {
            let key = if i == 0 && r.from_date {
                "msg.delay_date"
            } else {
                "msg.delay"
            };
            let text = if d < 0 {
                text(lang, "msg.negative")
            } else {
                fill(lang, key, &[&duration(lang, d)])
            };
            body.push_str(&format!(" — {text}"));
        }
        for n in hop_notes(lang, h) {
            body.push('\n');
            body.push_str(&n);
        }
        out.push(Annotation {
            span: 0..0,
            title: "Received".into(),
            body,
            rfc: crate::explain::catalog::rfc("msg.hop").map(str::to_string),
            severity: Severity::Info,
        });
    }
    if let Some(t) = r.total {
        out.push(Annotation::from_key(
            lang,
            0..0,
            text(lang, "msg.hops"),
            "msg.total",
            &[&duration(lang, t)],
            Severity::Info,
        ));
    }
    if !r.blank_line {
        out.push(Annotation::from_key(
            lang,
            0..0,
            "",
            "msg.no_blank",
            &[],
            Severity::Mistake,
        ));
    }
    out
}
