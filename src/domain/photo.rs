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
    let thumbnail = encode(&scale_down(display.clone(), THUMBNAIL_SIDE))?;
    let display = encode(&display)?;
    let hash = Sha256::digest(&display)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(ProcessedPhoto {
        hash,
        display,
        thumbnail,
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
/// a length, up to the first start-of-scan (SOS) segment.
fn jpeg_main_scan(bytes: &[u8]) -> Option<usize> {
    let mut at: usize = 2;
    loop {
        let &[0xFF, marker, high, low] = bytes.get(at..at.checked_add(4)?)? else {
            return None;
        };
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
