//! The Europe/Prague hour and the `auth` hash of every request.

use std::sync::OnceLock;

use crate::{hex_text, sha1_hex};
use crate::error::{Error, Result};

fn prague() -> &'static jiff::tz::TimeZone {
    static TZ: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    TZ.get_or_init(|| jiff::tz::TimeZone::get("Europe/Prague").expect("Europe/Prague is in the bundled tz database"))
}

/// The hour (0–23) in Europe/Prague at `unix_secs`: UTC+1 in winter, UTC+2 in summer (from 01:00 UTC on the last
/// Sunday of March to 01:00 UTC on the last Sunday of October).
pub fn prague_hour(unix_secs: i64) -> Result<u8> {
    let ts = jiff::Timestamp::from_second(unix_secs)
        .map_err(|_| Error::config("wedos auth", format!("time {unix_secs} is out of range")))?;
    Ok(ts.to_zoned(prague().clone()).hour() as u8)
}

/// Seconds from `unix_secs` to the nearest full hour. Prague's offsets are whole hours, so its hour boundaries are
/// the UTC ones.
pub fn seconds_to_hour_boundary(unix_secs: i64) -> i64 {
    let r = unix_secs.rem_euclid(3600);
    r.min(3600 - r)
}

/// `sha1(password)`, lowercase hex.
pub fn password_hash(password: &str) -> String {
    hex_text(sha1_hex(&[password.as_bytes()]))
}

/// `auth` for a given Prague hour: `sha1(user + sha1(password) + HH)` with `HH` zero-padded.
pub fn auth_for_hour(user: &str, password: &str, hour: u8) -> Result<String> {
    if hour > 23 {
        return Err(Error::config("wedos auth", format!("hour {hour} is not 0-23")));
    }
    let hh = [b'0' + hour / 10, b'0' + hour % 10];
    Ok(hex_text(sha1_hex(&[user.as_bytes(), &sha1_hex(&[password.as_bytes()]), &hh])))
}

/// `auth` at `unix_secs`.
pub fn auth(user: &str, password: &str, unix_secs: i64) -> Result<String> {
    auth_for_hour(user, password, prague_hour(unix_secs)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knowledge_base_example() {
        assert_eq!(password_hash("123456"), "7c4a8d09ca3762af61e59520943dc26494f8941b");
        assert_eq!(auth_for_hour("tester", "123456", 11).unwrap(), "ac28237e80e68efa3bfd07f42dca3d41c5986e01");
        // 2026-01-15 10:30 UTC is 11:30 in Prague (CET).
        assert_eq!(auth("tester", "123456", 1_768_473_000).unwrap(), "ac28237e80e68efa3bfd07f42dca3d41c5986e01");
    }

    #[test]
    fn dst_switches_2026() {
        // Spring: 2026-03-29 01:00 UTC. 00:59:59 UTC = 01:59:59 CET; 01:00:00 UTC = 03:00:00 CEST.
        let spring = 1_774_746_000;
        assert_eq!(prague_hour(spring - 1).unwrap(), 1);
        assert_eq!(prague_hour(spring).unwrap(), 3);
        // Autumn: 2026-10-25 01:00 UTC. 00:59:59 UTC = 02:59:59 CEST; 01:00:00 UTC = 02:00:00 CET (hour 2 again).
        let autumn = 1_792_890_000;
        assert_eq!(prague_hour(autumn - 3601).unwrap(), 1);
        assert_eq!(prague_hour(autumn - 1).unwrap(), 2);
        assert_eq!(prague_hour(autumn).unwrap(), 2);
        assert_eq!(prague_hour(autumn + 3600).unwrap(), 3);
    }

    #[test]
    fn boundary_distance() {
        assert_eq!(seconds_to_hour_boundary(3600 * 5), 0);
        assert_eq!(seconds_to_hour_boundary(3600 * 5 - 3), 3);
        assert_eq!(seconds_to_hour_boundary(3600 * 5 + 4), 4);
        assert_eq!(seconds_to_hour_boundary(3600 * 5 + 1800), 1800);
    }
}
