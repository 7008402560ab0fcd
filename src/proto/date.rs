//! Dates as RFC 5322 §3.3 writes them — `Thu, 26 Nov 2026 08:45:00 +0100` —
//! from a Unix time the caller gives (this module reads no clock).

/// Paris time, as the course's ISPs would stamp it: UTC+1, and UTC+2 from
/// the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC
/// (EU summer time).
pub fn paris_offset_minutes(unix: i64) -> i32 {
    let (year, _, _) = civil_from_days(unix.div_euclid(86_400));
    let start = last_sunday_utc(year, 3) + 3600;
    let end = last_sunday_utc(year, 10) + 3600;
    if unix >= start && unix < end { 120 } else { 60 }
}

/// `Thu, 26 Nov 2026 08:45:00 +0100` for `unix` seen at `offset_minutes` east of UTC.
pub fn rfc5322(unix: i64, offset_minutes: i32) -> String {
    let local = unix + i64::from(offset_minutes) * 60;
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
    (last_day - back) * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

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
