//! Dates as RFC 5322 §3.3 writes them — `Thu, 26 Nov 2026 08:45:00 +0100` —
//! from a Unix time the caller gives (this module reads no clock).

/// Paris time, as the course's ISPs would stamp it: UTC+1, and UTC+2 from
/// the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC
/// (EU summer time).
pub fn paris_offset_minutes(unix: i64) -> i32 {
    let (year, _, _) = civil_from_days(unix.div_euclid(86_400));
    let start = last_sunday_utc(year, 3).saturating_add(3600);
    let end = last_sunday_utc(year, 10).saturating_add(3600);
    if unix >= start && unix < end { 120 } else { 60 }
}

/// `Thu, 26 Nov 2026 08:45:00 +0100` for `unix` seen at `offset_minutes` east of UTC.
pub fn rfc5322(unix: i64, offset_minutes: i32) -> String {
    // Saturating: a date from a file near i64's ends never wraps or panics.
    let local = unix.saturating_add(i64::from(offset_minutes) * 60);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(m - 1) as usize];
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{weekday}, {d:02} {month} {y} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        off / 60,
        off % 60
    )
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian
/// (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Midnight UTC of the last Sunday of `month` in `year`, as Unix time.
fn last_sunday_utc(year: i64, month: u32) -> i64 {
    let last_day = days_from_civil(year, month + 1, 1) - 1;
    // 1970-01-01 was a Thursday: weekday index 0 = Thursday, 3 = Sunday.
    let back = (last_day - 3).rem_euclid(7);
    (last_day - back).saturating_mul(86_400)
}

/// A date read from a header, with the obsolete forms it used (RFC 5322
/// §4.3): a two-digit year, a zone name instead of digits, no day name, a
/// comment. facteur reads these itself rather than with a date crate
/// because the point is to *say* which obsolete form was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadDate {
    pub unix: i64,
    pub offset_minutes: i32,
    pub year: i64,
    /// The year as written when it had two digits (`06` → 2006).
    pub two_digit_year: Option<u32>,
    /// `GMT`, `EST`, a military letter … when the zone was a name.
    pub zone_name: Option<String>,
    pub day_name: bool,
    pub comment: bool,
}

impl ReadDate {
    /// `+0100`, `-0500`.
    pub fn zone_numeric(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.unsigned_abs();
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }

    /// The same date as RFC 5322 §3.3 writes it today.
    pub fn modern(&self) -> String {
        rfc5322(self.unix, self.offset_minutes)
    }
}

/// Why a date cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not the shape `[day,] d month year hh:mm[:ss] zone`.
    Shape,
    /// A value that cannot exist: month 13, 32 December, 25:00, a zone +9999.
    Impossible,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Read an RFC 5322 date, modern or obsolete (§3.3, §4.3).
pub fn read(text: &str) -> Result<ReadDate, DateError> {
    let mut plain = String::new();
    let mut depth = 0usize;
    let mut comment = false;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                comment = true;
            }
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = plain.replace(',', " , ");
    let mut words: Vec<&str> = plain.split_whitespace().collect();
    let mut day_name = false;
    if let Some(first) = words.first()
        && DAYS.contains(&first.to_ascii_lowercase().as_str())
    {
        day_name = true;
        words.remove(0);
    }
    if words.first() == Some(&",") {
        words.remove(0);
    }
    let [day, month, year, time, rest @ ..] = words.as_slice() else {
        return Err(DateError::Shape);
    };
    let day: u32 = day.parse().map_err(|_| DateError::Shape)?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month))
        .ok_or(DateError::Shape)? as u32
        + 1;
    if year.is_empty() || !year.bytes().all(|b| b.is_ascii_digit()) || year.len() > 4 {
        return Err(DateError::Shape);
    }
    let y: i64 = year.parse().map_err(|_| DateError::Shape)?;
    // §4.3: 00–49 → 2000–2049, 50–99 and three digits → + 1900.
    let (full, two) = match year.len() {
        2 if y < 50 => (2000 + y, Some(y as u32)),
        2 => (1900 + y, Some(y as u32)),
        3 => (1900 + y, None),
        _ => (y, None),
    };
    let hms: Vec<&str> = time.split(':').collect();
    let num = |s: &str| s.parse::<u32>().map_err(|_| DateError::Shape);
    let (h, mi, se) = match hms.as_slice() {
        [h, m] => (num(h)?, num(m)?, 0),
        [h, m, s] => (num(h)?, num(m)?, num(s)?),
        _ => return Err(DateError::Shape),
    };
    let zone = rest.first().copied().unwrap_or("");
    let (offset, zone_name) = zone_offset(zone).ok_or(DateError::Shape)?;
    let next_month = if month == 12 {
        days_from_civil(full + 1, 1, 1)
    } else {
        days_from_civil(full, month + 1, 1)
    };
    let days_in_month = next_month - days_from_civil(full, month, 1);
    if day == 0 || i64::from(day) > days_in_month || h > 23 || mi > 59 || se > 60 {
        return Err(DateError::Impossible);
    }
    if offset.unsigned_abs() >= 24 * 60 {
        return Err(DateError::Impossible);
    }
    let unix = days_from_civil(full, month, day) * 86_400
        + i64::from(h) * 3600
        + i64::from(mi) * 60
        + i64::from(se)
        - i64::from(offset) * 60;
    Ok(ReadDate {
        unix,
        offset_minutes: offset,
        year: full,
        two_digit_year: two,
        zone_name,
        day_name,
        comment,
    })
}

/// `+0100` → 60; the §4.3 names → their offset and the name.
fn zone_offset(zone: &str) -> Option<(i32, Option<String>)> {
    let b = zone.as_bytes();
    if b.len() == 5 && (b[0] == b'+' || b[0] == b'-') && b[1..].iter().all(u8::is_ascii_digit) {
        let h = i32::from(b[1] - b'0') * 10 + i32::from(b[2] - b'0');
        let m = i32::from(b[3] - b'0') * 10 + i32::from(b[4] - b'0');
        if m > 59 {
            return None;
        }
        let v = h * 60 + m;
        return Some((if b[0] == b'-' { -v } else { v }, None));
    }
    let upper = zone.to_ascii_uppercase();
    let hours = match upper.as_str() {
        "UT" | "GMT" | "Z" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        // §4.3: the other military letters had their signs wrong in RFC 822;
        // they are read as -0000 (no information about the zone).
        z if z.len() == 1 && z.bytes().all(|c| c.is_ascii_alphabetic() && c != b'J') => 0,
        _ => return None,
    };
    Some((hours * 60, Some(upper)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obsolete_forms_are_read_and_named() {
        // The handout's own date.
        let d = read("Fri, 29 Dec 06 01:46:00 GMT").unwrap();
        assert_eq!(d.two_digit_year, Some(6));
        assert_eq!(d.year, 2006);
        assert_eq!(d.zone_name.as_deref(), Some("GMT"));
        assert_eq!(d.modern(), "Fri, 29 Dec 2006 01:46:00 +0000");
        let d = read("2 Dec 24 10:00 EST").unwrap();
        assert!(!d.day_name);
        assert_eq!(d.modern(), "Mon, 02 Dec 2024 10:00:00 -0500");
        assert_eq!(d.zone_numeric(), "-0500");
        let d = read("Mon, 2 Dec 2024 10:00:00 +0100 (CET)").unwrap();
        assert!(d.comment && d.day_name && d.zone_name.is_none());
        assert_eq!(read("Thu, 1 Jan 70 00:00:00 +0000").unwrap().year, 1970);
        assert_eq!(read("Fri, 1 Jan 49 00:00:00 +0000").unwrap().year, 2049);
        assert_eq!(read("Thu, 1 Jan 99 00:00:00 +0000").unwrap().year, 1999);
        assert_eq!(read("29 Feb 2024 12:00 +0000").map(|d| d.year), Ok(2024));
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(
            read("Mon, 32 Dec 2024 10:00:00 +0100"),
            Err(DateError::Impossible)
        );
        assert_eq!(read("29 Feb 2023 12:00 +0000"), Err(DateError::Impossible));
        assert_eq!(read("1 Jan 2024 24:00 +0000"), Err(DateError::Impossible));
        assert_eq!(
            read("Mon, 32 Foo 2024 99:00:00 +0100"),
            Err(DateError::Shape)
        );
        assert_eq!(read("yesterday"), Err(DateError::Shape));
        assert_eq!(read(""), Err(DateError::Shape));
    }

    #[test]
    fn extreme_times_do_not_wrap() {
        assert!(paris_offset_minutes(i64::MAX) >= 60);
        assert!(paris_offset_minutes(i64::MIN) >= 60);
        let s = rfc5322(i64::MAX, 120);
        assert!(!s.is_empty());
        let s = rfc5322(i64::MIN, -120);
        assert!(!s.is_empty());
    }

    #[test]
    fn known_dates() {
        assert_eq!(rfc5322(0, 0), "Thu, 01 Jan 1970 00:00:00 +0000");
        // The handout's Received date: Mon, 09 Jul 2012 08:21:00 +0200.
        let t = days_from_civil(2012, 7, 9) * 86_400 + 6 * 3600 + 21 * 60;
        assert_eq!(paris_offset_minutes(t), 120);
        assert_eq!(rfc5322(t, 120), "Mon, 09 Jul 2012 08:21:00 +0200");
        let winter = days_from_civil(2026, 11, 26) * 86_400;
        assert_eq!(paris_offset_minutes(winter), 60);
        assert_eq!(rfc5322(winter, 60), "Thu, 26 Nov 2026 01:00:00 +0100");
        assert_eq!(rfc5322(-1, -300), "Wed, 31 Dec 1969 18:59:59 -0500");
        // Summer time 2026 starts Sun 29 Mar 01:00 UTC.
        let switch = days_from_civil(2026, 3, 29) * 86_400 + 3600;
        assert_eq!(paris_offset_minutes(switch - 1), 60);
        assert_eq!(paris_offset_minutes(switch), 120);
        for days in [-1000, 0, 10_000, 20_000, 30_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
