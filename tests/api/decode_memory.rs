//! Photo decoding within a memory budget: large photos decode a bounded number at a time, and a
//! small file that claims too many pixels is refused before any is decoded. Measured on the
//! real binary through its peak resident memory (`VmHWM` in `/proc/{pid}/status`).

use image::{ExtendedColorType, ImageEncoder, codecs::png::PngEncoder};
use reqwest::StatusCode;

use crate::{
    binary,
    helpers::{FormTokens, browser, event_form, form_tokens_at, photo_part},
};

/// The most the server may hold at its peak while eight large photos arrive at once.
const PEAK_BUDGET_KB: u64 = 600 * 1024;

/// A PNG of one colour: a small file that decodes to `width × height` pixels.
fn flat_png(width: u32, height: u32, colour: u8, kind: ExtendedColorType) -> Vec<u8> {
    let channels = if kind == ExtendedColorType::Rgba8 {
        4
    } else {
        1
    };
    let pixels = vec![colour; (width * height * channels) as usize];
    let mut out = Vec::new();
    let written = PngEncoder::new(&mut out).write_image(&pixels, width, height, kind);
    assert!(written.is_ok());
    out
}

/// The server process, killed when the test ends, passed or not.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peak_resident_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM for {pid}"))
}

#[tokio::test]
async fn eight_large_photos_at_once_stay_within_the_memory_budget() {
    // Arrange: the real binary, and eight photos of 25 megapixels (100 MB each decoded),
    // within the limits, plus eight 100-megapixel grey ones, small files past them.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let binary::Server { child, address, .. } = binary::start(dir.path(), &[]);
    let child = KillOnDrop(child);
    let large: Vec<Vec<u8>> = (0..8)
        .map(|i| flat_png(5000, 5000, 40 + i, ExtendedColorType::Rgba8))
        .collect();
    let too_many_pixels = flat_png(10_000, 10_000, 7, ExtendedColorType::L8);
    assert!(
        too_many_pixels.len() < 5 * 1024 * 1024,
        "small enough to upload"
    );
    // The form opened only now: making the photos takes longer than the server keeps an idle
    // connection open (10 s), and this client, busy making them, would not notice the close.
    let browser = browser();
    let token = form_tokens_at(&browser, &format!("{address}/places/us/97229"))
        .await
        .authenticity_token;

    // Act: all sixteen posted at once.
    let posts = large
        .into_iter()
        .map(|bytes| (bytes, StatusCode::SEE_OTHER))
        .chain((0..8).map(|_| (too_many_pixels.clone(), StatusCode::UNPROCESSABLE_ENTITY)))
        .enumerate()
        .map(|(i, (bytes, expected))| {
            let (browser, address) = (browser.clone(), address.clone());
            let tokens = FormTokens {
                authenticity_token: token.clone(),
                submission_id: format!("{i:032x}"),
            };
            tokio::spawn(async move {
                let form = event_form(&tokens, &[])
                    .part("photo", photo_part(bytes, "big.png", "image/png"));
                let response = browser
                    .post(format!("{address}/places/us/97229/events"))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                (response.status(), expected)
            })
        });
    let answers = futures::future::join_all(posts).await;

    // Assert: each answered as it should, and the peak stayed within the budget.
    for answer in answers {
        let (status, expected) = answer.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, expected);
    }
    let peak = peak_resident_kb(child.0.id());
    assert!(
        peak <= PEAK_BUDGET_KB,
        "peak resident memory {} MB",
        peak / 1024
    );
}
