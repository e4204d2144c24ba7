//! An HTTP answer's body read up to a cap, for every client of this crate (Postman's
//! API, OAuth servers): a server cannot make us hold more than the cap, and the reading
//! stops as soon as the cap is passed, whatever the answer announced (a chunked answer
//! announces nothing).

use std::io::Read;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Announced or found larger than the cap; what came of it is dropped.
    #[error("larger than {}", shown(*.cap))]
    TooLarge { cap: u64 },
    /// The connection failed after `received` bytes.
    #[error("{source} (after {received} bytes)")]
    Read {
        received: usize,
        source: std::io::Error,
    },
}

/// `cap` in words: "160 MB", "2048 bytes".
pub fn shown(cap: u64) -> String {
    match cap >= 1 << 20 {
        true => format!("{} MB", cap >> 20),
        false => format!("{cap} bytes"),
    }
}

/// The whole body of `answer` if it is at most `cap` bytes; `announced` is its
/// Content-Length, which refuses a larger body before a byte of it is read.
pub fn read(answer: impl Read, announced: Option<u64>, cap: u64) -> Result<Vec<u8>, Error> {
    if announced.is_some_and(|n| n > cap) {
        return Err(Error::TooLarge { cap });
    }
    // Trusted only as a hint, and only up to the cap: memory grows by what arrived.
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(cap) as usize);
    // One byte past the cap tells "larger" from "exactly the cap" without reading on.
    answer
        .take(cap + 1)
        .read_to_end(&mut body)
        .map_err(|source| Error::Read {
            received: body.len(),
            source,
        })?;
    match body.len() as u64 > cap {
        true => Err(Error::TooLarge { cap }),
        false => Ok(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that never ends: only a reader that stops at the cap returns.
    struct Endless(usize);

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            buf.fill(b'x');
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_body_is_refused_once_past_the_cap() {
        let mut endless = Endless(0);
        let err = read(&mut endless, None, 100_000).unwrap_err();
        assert_eq!(err.to_string(), "larger than 100000 bytes");
        assert!(endless.0 <= 100_001, "read {} bytes", endless.0);
    }

    #[test]
    fn an_announced_length_over_the_cap_reads_nothing() {
        let mut endless = Endless(0);
        let err = read(&mut endless, Some(3 << 20), 2 << 20).unwrap_err();
        assert_eq!(err.to_string(), "larger than 2 MB");
        assert_eq!(endless.0, 0);
    }

    #[test]
    fn a_body_up_to_the_cap_is_read_whole() {
        assert_eq!(read(&b"abc"[..], None, 3).unwrap(), b"abc");
        assert!(matches!(
            read(&b"abcd"[..], Some(2), 3),
            Err(Error::TooLarge { cap: 3 })
        ));
    }
}
