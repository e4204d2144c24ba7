//! Determinism helpers: a logical clock, UUID-shaped ids from a seeded generator and
//! the small base64 codec the opaque paging cursors need.
//!
//! Tests compare commit ids across runs, and commit dates come from Postman's
//! `updatedAt` values, so the fake must never read the wall clock or a random source.

/// 2024-01-01T00:00:00Z in Unix seconds: the clock's epoch.
const START_UNIX: u64 = 1_704_067_200;

/// A clock that only moves when state changes: one second per mutation.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    seconds: u64,
}

impl Clock {
    /// The current time, formatted the way Postman formats it.
    pub fn now(&self) -> String {
        format_timestamp(START_UNIX + self.seconds)
    }

    /// Advances by one second and returns the new time.
    pub fn tick(&mut self) -> String {
        self.seconds += 1;
        self.now()
    }
}

/// `2024-01-01T00:00:05.000Z` (Postman always prints milliseconds, always zero here).
pub fn format_timestamp(unix: u64) -> String {
    let utc = git_postman::postman::time::format_utc(unix as i64);
    format!("{}.000Z", utc.trim_end_matches('Z'))
}

/// Deterministic UUID v4-shaped ids (splitmix64 over a counter).
#[derive(Debug, Clone)]
pub struct IdGen {
    state: u64,
}

impl Default for IdGen {
    fn default() -> Self {
        IdGen {
            state: 0x005e_ed0f_fa4e_u64,
        }
    }
}

impl IdGen {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn uuid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        // Version 4 and RFC 4122 variant bits, so the ids look like Postman's.
        let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (Postman's cursors are base64 JSON).
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    Some(out)
}
