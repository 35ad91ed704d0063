//! Photos people attach to events: judged by their bytes, decoded within limits, turned upright,
//! and re-encoded as JPEG in two sizes. Re-encoding keeps only pixels, so EXIF and GPS
//! metadata never reach the disk. CPU-heavy: call from `spawn_blocking`.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, Rgb, RgbImage,
    codecs::jpeg::JpegEncoder,
};
use sha2::{Digest, Sha256};

/// The largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// Longest side of the two stored sizes, in pixels.
pub const DISPLAY_SIDE: u32 = 1600;
pub const THUMBNAIL_SIDE: u32 = 400;
/// Decoding stops beyond these: a small file that claims a huge picture is a decompression bomb.
/// 40 megapixels of 8-bit RGBA are the 160 MB allowed, so one decode stays under ~200 MB.
const MAX_SIDE: u32 = 10_000;
const MAX_PIXELS: u64 = 40_000_000;
const MAX_DECODE_BYTES: u64 = 160 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// The stored forms of one photo, named by the SHA-256 of the display size.
#[derive(Debug)]
pub struct ProcessedPhoto {
    pub hash: String,
    pub display: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub sizes: PhotoSizes,
}

/// Width and height, in pixels, of a photo's two stored forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoSizes {
    pub display: (u32, u32),
    pub thumbnail: (u32, u32),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("The photo is larger than 5 MB.")]
    TooLarge,
    #[error("The photo must be a JPEG, PNG or WebP image.")]
    NotAnImage,
    #[error("The photo could not be read: the file is damaged or incomplete.")]
    Damaged,
    #[error("The photo has too many pixels: at most 10,000 a side and about 40 megapixels in all.")]
    TooManyPixels,
    #[error("The photo could not be saved.")]
    Encoding,
}

pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    // The bytes decide the format, never the file name or the declared type.
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    if !is_whole(format, bytes) {
        return Err(PhotoError::Damaged);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    // Counts the decoded picture against `max_alloc` before a byte of it is allocated.
    limits.reserve(decoder.total_bytes()).map_err(classify)?;
    let orientation = decoder.orientation().map_err(classify)?;
    let picture = DynamicImage::from_decoder(decoder).map_err(classify)?;
    // Scaled down first, so that turning it upright copies the small picture, not the large.
    let mut display = scale_down(picture, DISPLAY_SIDE);
    display.apply_orientation(orientation);
    let small = scale_down(display.clone(), THUMBNAIL_SIDE);
    let sizes = PhotoSizes {
        display: (display.width(), display.height()),
        thumbnail: (small.width(), small.height()),
    };
    let thumbnail = encode(&small)?;
    let display = encode(&display)?;
    let hash = Sha256::digest(&display)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(ProcessedPhoto {
        hash,
        display,
        thumbnail,
        sizes,
    })
}

/// Whether the file is complete. The JPEG decoder paints a cut-off file's missing part grey
/// rather than failing, so a JPEG must have an end-of-image marker after the start of its main
/// image's scan (found by walking the segments, so an EXIF thumbnail's own markers do not
/// count), and a WebP file as many bytes as its RIFF header declares. The PNG decoder notices
/// a cut-off file by itself.
fn is_whole(format: ImageFormat, bytes: &[u8]) -> bool {
    match format {
        ImageFormat::Jpeg => jpeg_main_scan(bytes)
            .and_then(|scan| bytes.get(scan..))
            .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9])),
        ImageFormat::WebP => bytes
            .get(4..8)
            .and_then(|size| size.try_into().ok())
            .map(u32::from_le_bytes)
            .is_some_and(|size| bytes.len() as u64 >= u64::from(size) + 8),
        _ => true,
    }
}

/// Where the first scan of a JPEG's main image starts: after SOI, each segment is a marker and
/// a length, up to the first start-of-scan (SOS) segment. A marker may follow any number of
/// fill bytes (0xFF), and a few markers stand alone, without a length (ITU T.81, B.1.1).
fn jpeg_main_scan(bytes: &[u8]) -> Option<usize> {
    let mut at: usize = 2;
    loop {
        while bytes.get(at..at.checked_add(2)?)? == [0xFF, 0xFF] {
            at = at.checked_add(1)?;
        }
        let &[0xFF, marker, high, low] = bytes.get(at..at.checked_add(4)?)? else {
            return None;
        };
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            at = at.checked_add(2)?;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([high, low]));
        let next = at.checked_add(2)?.checked_add(length)?;
        if marker == 0xDA {
            return Some(next);
        }
        at = next;
    }
}

fn classify(error: image::ImageError) -> PhotoError {
    match error {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        image::ImageError::Unsupported(_) => PhotoError::NotAnImage,
        _ => PhotoError::Damaged,
    }
}

/// Scales down (never up) to fit `side`. The box filter of `thumbnail` needs memory for the
/// result only; a Lanczos resize of a large picture needs several times the picture's.
fn scale_down(picture: DynamicImage, side: u32) -> DynamicImage {
    if picture.width() > side || picture.height() > side {
        picture.thumbnail(side, side)
    } else {
        picture
    }
}

/// Flattens transparency onto white and encodes as JPEG.
fn encode(picture: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let rgb = flatten(picture);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Encoding)?;
    Ok(out)
}

fn flatten(picture: &DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbaImage, codecs::png::PngEncoder};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([x as u8, y as u8, 128, 200])
        });
        let mut out = Vec::new();
        let encoded = PngEncoder::new(&mut out).write_image(
            picture.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgba8,
        );
        assert!(encoded.is_ok());
        out
    }

    #[test]
    fn a_png_becomes_two_jpegs_named_by_their_content() {
        let photo = process(&png(2000, 1000)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            image::guess_format(&photo.display).ok(),
            Some(ImageFormat::Jpeg)
        );
        let display = image::load_from_memory(&photo.display).unwrap_or_else(|e| panic!("{e}"));
        let thumbnail = image::load_from_memory(&photo.thumbnail).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((display.width(), display.height()), (1600, 800));
        assert_eq!((thumbnail.width(), thumbnail.height()), (400, 200));
        assert_eq!(
            photo.sizes,
            PhotoSizes {
                display: (1600, 800),
                thumbnail: (400, 200)
            },
            "the sizes said are the files' own"
        );
        assert_eq!(photo.hash.len(), 64);
        assert_eq!(
            photo.hash,
            process(&png(2000, 1000))
                .map(|p| p.hash)
                .unwrap_or_default()
        );
    }

    #[test]
    fn small_photos_are_not_scaled_up() {
        let photo = process(&png(300, 200)).unwrap_or_else(|e| panic!("{e}"));
        let display = image::load_from_memory(&photo.display).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((display.width(), display.height()), (300, 200));
    }

    #[test]
    fn anything_but_a_whole_supported_image_is_refused() {
        let whole = png(64, 64);
        let truncated = whole[..whole.len() / 2].to_vec();
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
        let jpeg = process(&whole).map(|p| p.display).unwrap_or_default();
        let truncated_jpeg = jpeg[..jpeg.len() * 2 / 3].to_vec();
        for (case, bytes, expected) in [
            (
                "text named .jpg",
                b"just some text, not a picture".to_vec(),
                PhotoError::NotAnImage,
            ),
            ("truncated png", truncated, PhotoError::Damaged),
            ("truncated jpeg", truncated_jpeg, PhotoError::Damaged),
            ("gif", gif, PhotoError::NotAnImage),
            ("empty", Vec::new(), PhotoError::NotAnImage),
            (
                "over 5 MB",
                vec![0u8; MAX_UPLOAD_BYTES + 1],
                PhotoError::TooLarge,
            ),
        ] {
            assert_eq!(process(&bytes).err(), Some(expected), "{case}");
        }
    }
}

#[cfg(test)]
mod properties {
    //! Whatever bytes arrive as a photo, `process` answers with a typed result and never panics;
    //! a cut-off JPEG, PNG or WebP file is refused as damaged.

    use std::sync::LazyLock;

    use image::{
        ExtendedColorType, ImageEncoder, RgbaImage,
        codecs::{png::PngEncoder, webp::WebPEncoder},
    };
    use proptest::{prelude::*, sample::Index};

    use super::*;

    const JPEG_MAGIC: [u8; 3] = [0xFF, 0xD8, 0xFF];
    const PNG_MAGIC: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
    /// `RIFF`, the size, `WEBP`: what `image::guess_format` needs to see to call it WebP.
    const WEBP_HEADER_LEN: usize = 12;
    /// A PNG file ends with its IEND chunk: a zero length, the type and a CRC.
    const PNG_IEND_LEN: usize = 12;

    /// 16x16 with some transparency: small, so a test decodes it hundreds of times quickly.
    fn picture() -> RgbaImage {
        RgbaImage::from_fn(16, 16, |x, y| {
            image::Rgba([(x * 16) as u8, (y * 16) as u8, 128, 200])
        })
    }

    fn encoded(encode: impl FnOnce(&mut Vec<u8>) -> image::ImageResult<()>) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out).unwrap_or_else(|e| panic!("{e}"));
        out
    }

    static JPEG: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let rgb = DynamicImage::ImageRgba8(picture()).to_rgb8();
        encoded(|out| JpegEncoder::new_with_quality(out, JPEG_QUALITY).encode_image(&rgb))
    });

    static PNG: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let picture = picture();
        encoded(|out| {
            PngEncoder::new(out).write_image(picture.as_raw(), 16, 16, ExtendedColorType::Rgba8)
        })
    });

    static WEBP: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let picture = picture();
        encoded(|out| {
            WebPEncoder::new_lossless(out).write_image(
                picture.as_raw(),
                16,
                16,
                ExtendedColorType::Rgba8,
            )
        })
    });

    /// What `image::guess_format` takes for one of the three accepted formats.
    fn looks_supported(bytes: &[u8]) -> bool {
        bytes.starts_with(&JPEG_MAGIC)
            || bytes.starts_with(PNG_MAGIC)
            || (bytes.starts_with(b"RIFF")
                && bytes.get(8..WEBP_HEADER_LEN) == Some(b"WEBP".as_slice()))
    }

    /// The refusal the bytes alone decide, before any decoder runs: no known magic, a JPEG
    /// without an end-of-image marker anywhere, a WebP file shorter than its RIFF header says.
    fn foreseeable_refusal(bytes: &[u8]) -> Option<PhotoError> {
        if !looks_supported(bytes) {
            return Some(PhotoError::NotAnImage);
        }
        let has_end_marker = bytes.windows(2).any(|w| w == [0xFF, 0xD9]);
        if bytes.starts_with(&JPEG_MAGIC) && !has_end_marker {
            return Some(PhotoError::Damaged);
        }
        let declared = bytes
            .get(4..8)
            .and_then(|size| <[u8; 4]>::try_from(size).ok())
            .map(u32::from_le_bytes);
        if bytes.starts_with(b"RIFF")
            && declared.is_some_and(|size| u64::from(size) + 8 > bytes.len() as u64)
        {
            return Some(PhotoError::Damaged);
        }
        None
    }

    /// A typed answer: the refusal the bytes foretell, or else anything but a panic; an accepted
    /// photo is two JPEGs named by a SHA-256 in hex.
    fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
        let result = process(bytes);
        if let Some(expected) = foreseeable_refusal(bytes) {
            prop_assert_eq!(result.as_ref().err(), Some(&expected));
        }
        if let Ok(photo) = &result {
            prop_assert_eq!(photo.hash.len(), 64);
            prop_assert!(photo.hash.bytes().all(|b| b.is_ascii_hexdigit()));
            for jpeg in [&photo.display, &photo.thumbnail] {
                prop_assert_eq!(image::guess_format(jpeg).ok(), Some(ImageFormat::Jpeg));
            }
        }
        Ok(())
    }

    /// Start of image, then segments whose declared lengths are true or any number, then loose
    /// bytes and maybe an end-of-image marker. No frame header (SOF) on purpose: a random one
    /// can declare a picture of millions of pixels, and decoding that is slow, not wrong.
    fn jpeg_outline() -> impl Strategy<Value = Vec<u8>> {
        let marker = prop_oneof![
            0xE0u8..=0xEF,
            Just(0xDBu8),
            Just(0xC4u8),
            Just(0xDDu8),
            Just(0xFEu8),
            Just(0xDAu8),
        ];
        let segment = (
            marker,
            prop::collection::vec(any::<u8>(), 0..64),
            prop::option::of(any::<u16>()),
        );
        (
            prop::collection::vec(segment, 0..6),
            prop::collection::vec(any::<u8>(), 0..64),
            any::<bool>(),
        )
            .prop_map(|(segments, tail, ends)| {
                let mut bytes = vec![0xFF, 0xD8];
                for (marker, payload, declared) in segments {
                    let length = declared.unwrap_or(payload.len() as u16 + 2);
                    bytes.extend([0xFF, marker]);
                    bytes.extend(length.to_be_bytes());
                    bytes.extend(payload);
                }
                bytes.extend(tail);
                if ends {
                    bytes.extend([0xFF, 0xD9]);
                }
                bytes
            })
    }

    #[test]
    fn the_test_pictures_are_whole_and_accepted() {
        for (name, bytes) in [("jpeg", &*JPEG), ("png", &*PNG), ("webp", &*WEBP)] {
            if let Err(e) = process(bytes) {
                panic!("{name}: {e}");
            }
        }
        // So that every cut of the WebP file is shorter than its header says...
        let declared = WEBP
            .get(4..8)
            .and_then(|size| <[u8; 4]>::try_from(size).ok())
            .map(u32::from_le_bytes);
        assert_eq!(declared.map(|size| size as usize + 8), Some(WEBP.len()));
        // ...and the PNG file's last chunk is IEND.
        assert_eq!(
            PNG.get(PNG.len() - 8..PNG.len() - 4),
            Some(b"IEND".as_slice())
        );
    }

    #[test]
    fn a_jpeg_with_fill_bytes_before_its_markers_is_read() {
        // Fill bytes after the start of image, and before the second segment's marker.
        let second = 4 + usize::from(u16::from_be_bytes([JPEG[4], JPEG[5]]));
        assert_eq!(JPEG[second], 0xFF);
        let filled = [
            &JPEG[..2],
            &[0xFF, 0xFF, 0xFF][..],
            &JPEG[2..second],
            &[0xFF, 0xFF][..],
            &JPEG[second..],
        ]
        .concat();
        let result = process(&filled);
        assert!(result.is_ok(), "{result:?}");
    }

    #[test]
    fn a_jpeg_whose_scan_header_runs_past_the_end_is_refused() {
        // Start of image, then a start-of-scan segment claiming 12 bytes where 2 follow: once
        // `is_whole` sliced past the end here and panicked.
        let result = process(&[0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x0C]);
        assert!(
            matches!(result, Err(PhotoError::Damaged | PhotoError::NotAnImage)),
            "{result:?}"
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_get_a_typed_answer(
            bytes in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            check(&bytes)?;
        }

        #[test]
        fn bytes_behind_a_jpeg_magic_get_a_typed_answer(
            tail in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            check(&[JPEG_MAGIC.as_slice(), tail.as_slice()].concat())?;
        }

        #[test]
        fn jpeg_segments_with_lying_lengths_get_a_typed_answer(bytes in jpeg_outline()) {
            check(&bytes)?;
        }

        #[test]
        fn bytes_behind_a_png_signature_get_a_typed_answer(
            tail in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            check(&[PNG_MAGIC.as_slice(), tail.as_slice()].concat())?;
        }

        #[test]
        fn bytes_behind_a_webp_header_get_a_typed_answer(
            chunk in prop_oneof![
                Just(*b"VP8 "),
                Just(*b"VP8L"),
                Just(*b"VP8X"),
                Just(*b"ALPH"),
                any::<[u8; 4]>(),
            ],
            body in prop::collection::vec(any::<u8>(), 0..2048),
            size in prop::option::of(any::<u32>()),
        ) {
            // Half the time the size a RIFF header should say, so the decoder reads the chunk.
            let honest = (body.len() + 8) as u32;
            let size = size.unwrap_or(honest).to_le_bytes();
            check(
                &[
                    b"RIFF".as_slice(),
                    size.as_slice(),
                    b"WEBP".as_slice(),
                    chunk.as_slice(),
                    body.as_slice(),
                ]
                .concat(),
            )?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_cut_of_a_jpeg_is_refused(cut in any::<Index>()) {
            let at = cut.index(JPEG.len());
            let result = process(&JPEG[..at]);
            if at < JPEG_MAGIC.len() {
                prop_assert_eq!(result.err(), Some(PhotoError::NotAnImage));
            } else {
                prop_assert!(
                    matches!(result, Err(PhotoError::Damaged)),
                    "cut at {at}: {result:?}"
                );
            }
        }

        #[test]
        fn every_cut_of_a_png_before_its_end_chunk_is_refused(cut in any::<Index>()) {
            let at = cut.index(PNG.len());
            let result = process(&PNG[..at]);
            if at < PNG_MAGIC.len() {
                prop_assert_eq!(result.err(), Some(PhotoError::NotAnImage));
            } else if at < PNG.len() - PNG_IEND_LEN {
                prop_assert!(
                    matches!(result, Err(PhotoError::Damaged)),
                    "cut at {at}: {result:?}"
                );
            } else {
                // Every pixel is there; only the end chunk is missing or cut short.
                prop_assert!(
                    matches!(result, Ok(_) | Err(PhotoError::Damaged)),
                    "cut at {at}: {result:?}"
                );
            }
        }

        #[test]
        fn every_cut_of_a_webp_is_refused(cut in any::<Index>()) {
            let at = cut.index(WEBP.len());
            let result = process(&WEBP[..at]);
            if at < WEBP_HEADER_LEN {
                prop_assert_eq!(result.err(), Some(PhotoError::NotAnImage));
            } else {
                prop_assert!(
                    matches!(result, Err(PhotoError::Damaged)),
                    "cut at {at}: {result:?}"
                );
            }
        }
    }
}
