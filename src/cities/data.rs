//! The cities file (`geodata/cities15000.tsv.gz`, made by `geodata/rebuild.py`): one line per
//! city, tab-separated, alternate names joined by `|`. Built into the binary; `--cities-file`
//! names another file of the same form.

use std::io::Read;

use flate2::read::GzDecoder;

/// The file built into the binary.
pub static BUILT_IN: &[u8] = include_bytes!("../../geodata/cities15000.tsv.gz");

/// The largest file accepted once decompressed: the built-in one is 6.7 MB.
const MAX_TEXT_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct CityRecord {
    pub geonameid: i64,
    pub name: String,
    pub country_code: String,
    pub country_name: String,
    pub admin1_code: String,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
    pub population: i64,
    pub time_zone: String,
    pub alternate_names: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("the cities file is not gzip text: {0}")]
    Unreadable(#[from] std::io::Error),
    #[error("the cities file is larger than {MAX_TEXT_BYTES} bytes once decompressed")]
    TooLarge,
    #[error("line {line} of the cities file: {problem}")]
    BadLine { line: usize, problem: &'static str },
}

/// Decompresses and reads every line; one bad line refuses the whole file, so a damaged file
/// never replaces a good import.
pub fn read(gzip: &[u8]) -> Result<Vec<CityRecord>, DataError> {
    let mut text = String::new();
    GzDecoder::new(gzip)
        .take(MAX_TEXT_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_TEXT_BYTES {
        return Err(DataError::TooLarge);
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(index, line)| {
            parse_line(line).map_err(|problem| DataError::BadLine {
                line: index + 1,
                problem,
            })
        })
        .collect()
}

fn parse_line(line: &str) -> Result<CityRecord, &'static str> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [
        id,
        name,
        country,
        country_name,
        admin1,
        region,
        latitude,
        longitude,
        population,
        zone,
        alternates,
    ] = fields.as_slice()
    else {
        return Err("not eleven fields");
    };
    let latitude: f64 = latitude.parse().map_err(|_| "bad latitude")?;
    let longitude: f64 = longitude.parse().map_err(|_| "bad longitude")?;
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err("coordinates out of range");
    }
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("bad country code");
    }
    if zone.parse::<chrono_tz::Tz>().is_err() {
        return Err("unknown time zone");
    }
    if name.trim().is_empty() {
        return Err("empty name");
    }
    Ok(CityRecord {
        geonameid: id.parse().map_err(|_| "bad geonameid")?,
        name: (*name).to_owned(),
        country_code: (*country).to_owned(),
        country_name: (*country_name).to_owned(),
        admin1_code: (*admin1).to_owned(),
        region: (*region).to_owned(),
        latitude,
        longitude,
        population: population
            .parse::<u64>()
            .ok()
            .and_then(|p| i64::try_from(p).ok())
            .ok_or("bad population")?,
        time_zone: (*zone).to_owned(),
        alternate_names: alternates
            .split('|')
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_built_in_file_reads_whole() {
        let cities = read(BUILT_IN).unwrap_or_else(|e| panic!("{e}"));
        assert!(cities.len() > 30_000, "{} cities", cities.len());
        let zurich = cities.iter().find(|c| c.geonameid == 2_657_896);
        let zurich = zurich.unwrap_or_else(|| panic!("Zürich is in the file"));
        assert_eq!(zurich.name, "Zürich");
        assert_eq!(zurich.time_zone, "Europe/Zurich");
        assert!(zurich.alternate_names.iter().any(|n| n == "Zurigo"));
    }

    #[test]
    fn a_bad_line_refuses_the_file() {
        let good =
            "1\tA\tUS\tUnited States\tOR\tOregon\t45.5\t-122.6\t100\tAmerica/Los_Angeles\tB|C";
        assert!(parse_line(good).is_ok());
        for bad in [
            "1\tA\tUS",
            "x\tA\tUS\tUnited States\tOR\tOregon\t45.5\t-122.6\t100\tAmerica/Los_Angeles\t",
            "1\tA\tUS\tUnited States\tOR\tOregon\t95.5\t-122.6\t100\tAmerica/Los_Angeles\t",
            "1\tA\tus\tUnited States\tOR\tOregon\t45.5\t-122.6\t100\tAmerica/Los_Angeles\t",
            "1\tA\tUS\tUnited States\tOR\tOregon\t45.5\t-122.6\t-1\tAmerica/Los_Angeles\t",
            "1\tA\tUS\tUnited States\tOR\tOregon\t45.5\t-122.6\t100\tMars/Olympus\t",
        ] {
            assert!(parse_line(bad).is_err(), "{bad:?}");
        }
        assert!(read(b"not gzip").is_err());
    }

    proptest! {
        #[test]
        fn any_line_is_read_or_refused(line in "\\PC{0,200}") {
            let _ = parse_line(&line);
        }
    }
}
