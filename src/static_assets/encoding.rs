//! Which of a file's build-time variants a client takes, from its `Accept-Encoding`.

/// A representation of a file: as it is, or compressed at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Brotli,
    Gzip,
}

impl Coding {
    /// The `Content-Encoding` it is sent with, `None` for the file as it is.
    pub fn content_encoding(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
        }
    }
}

/// The variant to send: of those `available` (as well as the file as it is), the one the client
/// weights highest, brotli before gzip when weighted alike (it is smaller), and the file as it is
/// when no compressed one is acceptable. Codings are matched without regard to case, `*` stands
/// for any coding not named, `q=0` refuses one, and a weight that does not parse refuses it too
/// (sending the file as it is is never wrong). The file as it is is sent even when the client
/// refused it (`identity;q=0`): RFC 9110 allows that rather than a 406.
pub fn choose(accept_encoding: &str, available: &[Coding]) -> Coding {
    let mut best = (0_u16, Coding::Identity);
    for preferred in [Coding::Brotli, Coding::Gzip] {
        if !available.contains(&preferred) {
            continue;
        }
        let weight = weight_of(accept_encoding, preferred);
        if weight > best.0 {
            best = (weight, preferred);
        }
    }
    best.1
}

/// The client's weight for `coding`, in thousandths (0 = not acceptable).
fn weight_of(accept_encoding: &str, coding: Coding) -> u16 {
    let names: &[&str] = match coding {
        Coding::Identity => &["identity"],
        Coding::Brotli => &["br"],
        // `x-gzip` is the old name (RFC 9110 §8.4.1.3).
        Coding::Gzip => &["gzip", "x-gzip"],
    };
    let mut named = None;
    let mut wildcard = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let weight = parts
            .find_map(|p| {
                let (key, value) = p.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| parse_q(value.trim()))
            })
            .unwrap_or(Some(1000))
            .unwrap_or(0);
        if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            named = Some(named.map_or(weight, |w: u16| w.max(weight)));
        } else if name == "*" {
            wildcard = Some(weight);
        }
    }
    named.or(wildcard).unwrap_or(0)
}

/// A `qvalue` (RFC 9110 §12.4.2): `0`, `1`, or up to three decimals, in thousandths.
fn parse_q(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0_u16, |n, b| n * 10 + u16::from(b - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: &[Coding] = &[Coding::Brotli, Coding::Gzip];

    #[test]
    fn brotli_wins_a_tie_and_weights_decide_otherwise() {
        assert_eq!(choose("gzip, deflate, br, zstd", BOTH), Coding::Brotli);
        assert_eq!(choose("br;q=0.5, gzip", BOTH), Coding::Gzip);
        assert_eq!(choose("BR;Q=0.9, GZIP;q=0.8", BOTH), Coding::Brotli);
        assert_eq!(choose("gzip;q=0.001, br;q=0", BOTH), Coding::Gzip);
        assert_eq!(choose("x-gzip", BOTH), Coding::Gzip);
    }

    #[test]
    fn a_wildcard_stands_for_codings_not_named() {
        assert_eq!(choose("*", BOTH), Coding::Brotli);
        assert_eq!(choose("br;q=0, *", BOTH), Coding::Gzip);
        assert_eq!(choose("*;q=0, identity", BOTH), Coding::Identity);
    }

    #[test]
    fn nothing_acceptable_or_nothing_available_sends_the_file_as_it_is() {
        assert_eq!(choose("", BOTH), Coding::Identity);
        assert_eq!(choose("deflate, zstd", BOTH), Coding::Identity);
        assert_eq!(choose("br;q=0, gzip;q=0", BOTH), Coding::Identity);
        assert_eq!(choose("br, gzip", &[]), Coding::Identity);
        assert_eq!(choose("br", &[Coding::Gzip]), Coding::Identity);
    }

    #[test]
    fn a_weight_that_does_not_parse_refuses_the_coding() {
        assert_eq!(choose("br;q=2, gzip", BOTH), Coding::Gzip);
        assert_eq!(choose("br;q=0.5555, gzip;q=0.1", BOTH), Coding::Gzip);
        assert_eq!(choose("br;q=abc", BOTH), Coding::Identity);
        assert_eq!(choose("br;q=1.000", BOTH), Coding::Brotli);
    }
}

#[cfg(test)]
mod properties {
    //! Whatever a client sends as `Accept-Encoding`, the answer is one the client did not refuse
    //! (or the file as it is), and only a variant that exists.

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn any_header_chooses_an_available_coding_without_panicking(
            header in ".{0,200}",
            br in any::<bool>(),
            gzip in any::<bool>(),
        ) {
            let available: Vec<Coding> = [(br, Coding::Brotli), (gzip, Coding::Gzip)]
                .into_iter()
                .filter_map(|(have, c)| have.then_some(c))
                .collect();
            let chosen = choose(&header, &available);
            prop_assert!(chosen == Coding::Identity || available.contains(&chosen));
            if chosen != Coding::Identity {
                prop_assert!(weight_of(&header, chosen) > 0);
            }
        }

        #[test]
        fn a_listed_coding_with_a_weight_is_chosen_by_it(
            br_q in 0_u16..=1000,
            gzip_q in 0_u16..=1000,
        ) {
            let header = format!("gzip;q={}.{:03}, br;q={}.{:03}",
                gzip_q / 1000, gzip_q % 1000, br_q / 1000, br_q % 1000);
            let expected = if br_q == 0 && gzip_q == 0 {
                Coding::Identity
            } else if br_q >= gzip_q {
                Coding::Brotli
            } else {
                Coding::Gzip
            };
            prop_assert_eq!(choose(&header, &[Coding::Brotli, Coding::Gzip]), expected);
        }
    }
}
