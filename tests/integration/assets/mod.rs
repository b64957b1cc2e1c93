//! Media assets over HTTP: uploads probed from their content, refusals that
//! change nothing, sized copies, covers and responsive body images.

mod articles;
mod storage;

use std::io::Cursor;

use crate::common::{BytesResponse, TestApp};
use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};
use reqwest::Method;
use serde_json::Value;

/// A landscape photo-like JPEG: a gradient, with a red disc near the right edge.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        let (cx, cy) = (width as f32 * 0.85, height as f32 * 0.5);
        let near = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt() < height as f32 * 0.2;
        if near {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([(x * 255 / width) as u8, 90, (y * 255 / height) as u8])
        }
    });
    encode(DynamicImage::ImageRgb8(picture), ImageFormat::Jpeg)
}

pub fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbaImage::from_pixel(width, height, image::Rgba([10, 200, 30, 128]));
    encode(DynamicImage::ImageRgba8(picture), ImageFormat::Png)
}

fn encode(picture: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, format)
        .expect("encode a test image");
    out.into_inner()
}

/// A minimal PDF: enough for its signature to be found.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Uploads `bytes` as the raw body; `query` carries the description.
pub fn upload(app: &TestApp, bytes: Vec<u8>, content_type: &str, query: &str) -> BytesResponse {
    app.send_bytes(
        Method::POST,
        &format!("/v1/assets{query}"),
        Some(&app.write_token),
        Some((bytes, content_type)),
        &[],
    )
}

pub fn uploaded(app: &TestApp, bytes: Vec<u8>, content_type: &str, query: &str) -> Value {
    let res = upload(app, bytes, content_type, query);
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.bytes));
    serde_json::from_slice(&res.bytes).expect("an asset as JSON")
}

/// GETs a URL the API gave (absolute, on this server).
pub fn fetch(app: &TestApp, url: &str, headers: &[(&str, &str)]) -> BytesResponse {
    let path = url
        .strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{url} is not on {}", app.base));
    app.send_bytes(Method::GET, path, None, None, headers)
}

pub fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let picture = image::load_from_memory(bytes).expect("a decodable image");
    (picture.width(), picture.height())
}

fn asset_count(app: &TestApp) -> i64 {
    app.request(Method::GET, "/v1/assets", Some(&app.read_token), None)
        .expect(200)
        .json()["total"]
        .as_i64()
        .expect("a total")
}

fn uploads_are_probed_from_their_content(app: &TestApp) {
    let photo = jpeg(3000, 2000);
    // Sent as a generic type with a misleading name: the content decides.
    let asset = app.send_bytes(
        Method::POST,
        "/v1/assets?alt=Le%20palais%20d%E2%80%99Astana&credit=Claire%20Dubois&focal_x=0.85&focal_y=0.5",
        Some(&app.write_token),
        Some((photo.clone(), "application/octet-stream")),
        &[("content-disposition", "attachment; filename=\"../../Astana été.png\"")],
    );
    assert_eq!(
        asset.status,
        201,
        "{}",
        String::from_utf8_lossy(&asset.bytes)
    );
    let location = asset.header("location").expect("a Location");
    let asset: Value = serde_json::from_slice(&asset.bytes).expect("JSON");
    assert_eq!(asset["media_type"], "image/jpeg");
    assert_eq!(asset["filename"], "Astana été.png");
    assert_eq!(
        (asset["width"].as_u64(), asset["height"].as_u64()),
        (Some(3000), Some(2000))
    );
    assert_eq!(asset["alt"], "Le palais d’Astana");
    assert_eq!(asset["focal_point"]["x"], 0.85);
    assert!(asset["placeholder"].as_str().is_some_and(|p| p.len() >= 6));
    assert!(asset["color"]
        .as_str()
        .is_some_and(|c| c.starts_with('#') && c.len() == 7));
    assert_eq!(asset["byte_size"].as_u64(), Some(photo.len() as u64));
    let medium = &asset["presets"]["medium"];
    assert_eq!(
        (medium["width"].as_u64(), medium["height"].as_u64()),
        (Some(960), Some(640))
    );
    assert_eq!(asset["presets"]["thumb"]["width"], 320);
    assert_eq!(asset["presets"]["social"]["height"], 630);
    let srcset = asset["srcset"].as_str().expect("a srcset");
    assert!(
        srcset.ends_with(" 1600w") && srcset.contains(" 480w, "),
        "{srcset}"
    );

    // The record and the file, byte for byte.
    let id = asset["id"].as_str().expect("an id");
    assert_eq!(location, format!("/v1/assets/{id}"));
    assert_eq!(app.get(&location).expect(200).json(), asset);
    let file = fetch(app, asset["url"].as_str().expect("a url"), &[]);
    assert_eq!(file.status, 200);
    assert_eq!(file.bytes, photo);
    assert_eq!(file.header("content-type").as_deref(), Some("image/jpeg"));
    assert!(file
        .header("cache-control")
        .is_some_and(|c| c.contains("immutable")));

    // The library is for token holders.
    app.get("/v1/assets").expect(401);
    let listed = app.request(
        Method::GET,
        "/v1/assets?type=image",
        Some(&app.read_token),
        None,
    );
    let listed = listed.expect(200).json();
    assert_eq!(listed["data"][0]["id"], id);
}

fn forms_carry_the_file_and_its_description(app: &TestApp) {
    let part = reqwest::blocking::multipart::Part::bytes(png_with_alpha(640, 480))
        .file_name("logo.png")
        .mime_str("image/png")
        .expect("a media type");
    let form = reqwest::blocking::multipart::Form::new()
        .text("alt", "« Logo » de l’Entrevue")
        .text("caption", "Le cœur de la rédaction")
        .text("focal_y", "0.25")
        .part("file", part);
    let asset = app.post_form("/v1/assets", form).expect(201).json();
    assert_eq!(asset["media_type"], "image/png");
    assert_eq!(asset["filename"], "logo.png");
    assert_eq!(asset["alt"], "« Logo » de l’Entrevue");
    assert_eq!(asset["caption"], "Le cœur de la rédaction");
    assert_eq!(asset["focal_point"]["y"], 0.25);
    // Smaller than the large preset: the srcset names each width once.
    let srcset = asset["srcset"].as_str().expect("a srcset");
    assert_eq!(srcset.matches("w").count(), 2, "{srcset}");

    let pdf = uploaded(
        app,
        PDF.to_vec(),
        "application/pdf",
        "?filename=rapport.pdf",
    );
    assert_eq!(pdf["media_type"], "application/pdf");
    assert!(pdf["width"].is_null() && pdf["srcset"].is_null());
    assert_eq!(pdf["presets"], serde_json::json!({}));
}

/// A PNG that declares `width`×`height` pixels in a few dozen bytes.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = encode(
        DynamicImage::ImageRgb8(RgbImage::new(1, 1)),
        ImageFormat::Png,
    );
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&png[12..29]);
    png[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    png
}

fn refusals_are_clear_and_change_nothing(app: &TestApp) {
    let before = asset_count(app);
    let problem = |res: BytesResponse, status: u16, words: &str| {
        assert_eq!(
            res.status,
            status,
            "{}",
            String::from_utf8_lossy(&res.bytes)
        );
        let body: Value = serde_json::from_slice(&res.bytes).expect("a problem");
        let detail = body["detail"].as_str().unwrap_or_default().to_owned();
        let fields = body["errors"].to_string();
        assert!(detail.contains(words) || fields.contains(words), "{body}");
    };
    problem(
        upload(app, jpeg(40, 30), "image/png", ""),
        415,
        "image/jpeg",
    );
    problem(
        upload(
            app,
            b"<svg onload=alert(1)></svg>".to_vec(),
            "image/svg+xml",
            "",
        ),
        415,
        "SVG",
    );
    problem(
        upload(app, b"hello".to_vec(), "text/plain", ""),
        415,
        "not a recognised",
    );
    problem(upload(app, Vec::new(), "image/jpeg", ""), 400, "empty");
    problem(
        upload(app, png_declaring(20_000, 20_000), "image/png", ""),
        413,
        "FOLIO_MAX_ASSET_PIXELS",
    );
    problem(
        upload(app, jpeg(40, 30), "image/jpeg", "?focal_x=2"),
        422,
        "focal_x",
    );
    problem(
        upload(app, jpeg(40, 30), "image/jpeg", "?color=red"),
        400,
        "color",
    );
    let anonymous = app.send_bytes(
        Method::POST,
        "/v1/assets",
        None,
        Some((jpeg(40, 30), "image/jpeg")),
        &[],
    );
    assert_eq!(anonymous.status, 401);

    // A form that ends without its closing boundary is complete per its length:
    // answered at once, not after the body timeout (the parser waited for the rest
    // of a boundary cut short, as after "\r\n" or "\r\n--cu").
    for ending in [
        "",
        "\r\n",
        "\r\n-",
        "\r\n--cu",
        "\r\n--cut",
        "\r\n--cut\r\n",
    ] {
        let mut unclosed = b"--cut\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".to_vec();
        unclosed.extend(jpeg(40, 30));
        unclosed.extend(ending.as_bytes());
        let started = std::time::Instant::now();
        problem(
            app.send_bytes(
                Method::POST,
                "/v1/assets",
                Some(&app.write_token),
                Some((unclosed, "multipart/form-data; boundary=cut")),
                &[],
            ),
            400,
            "closing boundary",
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{ending:?}"
        );
    }
    assert_eq!(asset_count(app), before, "a refused upload stores nothing");
}

fn presets_are_made_once_and_cached_for_good(app: &TestApp) {
    let asset = uploaded(app, jpeg(3000, 2000), "image/jpeg", "?focal_x=0.85");
    let medium = asset["presets"]["medium"]["url"].as_str().expect("a url");
    assert!(medium.contains("?v="), "{medium}");

    let webp = fetch(app, medium, &[("accept", "image/avif,image/webp,*/*")]);
    assert_eq!(webp.status, 200);
    assert_eq!(webp.header("content-type").as_deref(), Some("image/webp"));
    assert!(webp
        .header("vary")
        .is_some_and(|v| v.to_lowercase().contains("accept")));
    assert!(webp
        .header("cache-control")
        .is_some_and(|c| c.contains("immutable")));
    assert_eq!(dimensions(&webp.bytes), (960, 640));
    let again = fetch(app, medium, &[("accept", "image/webp")]);
    assert_eq!(
        again.bytes, webp.bytes,
        "served from the store the second time"
    );

    let jpeg_copy = fetch(app, medium, &[("accept", "image/jpeg")]);
    assert_eq!(
        jpeg_copy.header("content-type").as_deref(),
        Some("image/jpeg")
    );
    // AVIF takes long to encode: a small picture shows it is made.
    let small = uploaded(app, jpeg(300, 200), "image/jpeg", "");
    let small = small["presets"]["thumb"]["url"].as_str().expect("a url");
    let avif = fetch(app, &format!("{small}&format=avif"), &[]);
    assert_eq!(avif.header("content-type").as_deref(), Some("image/avif"));
    assert!(avif
        .header("vary")
        .is_none_or(|v| !v.to_lowercase().contains("accept")));

    // The thumbnail is cropped around the focal point: the red disc near the right edge.
    let thumb = asset["presets"]["thumb"]["url"].as_str().expect("a url");
    let thumb = fetch(app, &format!("{thumb}&format=png"), &[]);
    assert_eq!(dimensions(&thumb.bytes), (320, 320));
    let picture = image::load_from_memory(&thumb.bytes)
        .expect("a PNG")
        .to_rgb8();
    let centre = picture.get_pixel(200, 160);
    assert!(
        centre[0] > 180 && centre[1] < 60,
        "the subject is in the crop: {centre:?}"
    );

    // Without the current version, a copy may change: caches revalidate.
    let id = asset["id"].as_str().expect("an id");
    let unversioned = app.send_bytes(
        Method::GET,
        &format!("/v1/assets/{id}/small"),
        None,
        None,
        &[],
    );
    assert_eq!(unversioned.status, 200);
    assert!(unversioned
        .header("cache-control")
        .is_some_and(|c| !c.contains("immutable")));

    // Edits honour If-Match, as every other resource's do.
    let etag = app
        .get(&format!("/v1/assets/{id}"))
        .expect(200)
        .header("etag")
        .expect("an ETag");
    let body = serde_json::json!({"caption": "Astana"});
    let stale = [("if-match", "\"v99-0\"")];
    let path = format!("/v1/assets/{id}");
    let refused = app.request_with(
        Method::PATCH,
        &path,
        Some(&app.write_token),
        Some(&body),
        &stale,
    );
    assert_eq!(refused.status, 412, "{}", refused.text);
    let current = [("if-match", etag.as_str())];
    app.request_with(
        Method::PATCH,
        &path,
        Some(&app.write_token),
        Some(&body),
        &current,
    )
    .expect(200);

    // A new focal point: new addresses.
    let moved = app
        .patch(
            &format!("/v1/assets/{id}"),
            serde_json::json!({"focal_point": {"x": 0.1, "y": 0.5}}),
        )
        .expect(200)
        .json();
    assert_ne!(
        moved["presets"]["thumb"]["url"],
        asset["presets"]["thumb"]["url"]
    );

    let unknown = app.get(&format!("/v1/assets/{id}/huge"));
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let resize = app.get(&format!("/v1/assets/{id}/resize?w=123"));
    assert_eq!(resize.status, 400);
    assert!(
        resize.text.contains("FOLIO_ASSET_ARBITRARY_SIZES"),
        "{}",
        resize.text
    );
    let pdf = uploaded(app, PDF.to_vec(), "application/pdf", "");
    let pdf_id = pdf["id"].as_str().expect("an id");
    app.get(&format!("/v1/assets/{pdf_id}/medium")).expect(400);
}

/// A phone that lost the answer to an upload sends it again with the same key:
/// one asset, the first answer again, and its file still there.
fn a_retried_upload_stores_one_asset(app: &TestApp) {
    let photo = jpeg(400, 300);
    let send = |bytes: Vec<u8>, key: &str| {
        app.send_bytes(
            Method::POST,
            "/v1/assets?alt=Le%20c%C5%93ur%20d%E2%80%99Astana",
            Some(&app.write_token),
            Some((bytes, "image/jpeg")),
            &[("Idempotency-Key", key)],
        )
    };
    let first = send(photo.clone(), "photo-1");
    assert_eq!(
        first.status,
        201,
        "{}",
        String::from_utf8_lossy(&first.bytes)
    );
    assert!(first.header("idempotent-replayed").is_none());
    let again = send(photo.clone(), "photo-1");
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.bytes, first.bytes);
    assert_eq!(asset_count(app), 1);
    let asset: Value = serde_json::from_slice(&first.bytes).expect("JSON");
    let file = fetch(app, asset["url"].as_str().expect("a url"), &[]);
    assert_eq!(file.status, 200);
    assert_eq!(file.bytes, photo);
    // Another file under the same key is another request: refused, nothing kept.
    let other = send(jpeg(401, 300), "photo-1");
    assert_eq!(
        other.status,
        422,
        "{}",
        String::from_utf8_lossy(&other.bytes)
    );
    assert_eq!(asset_count(app), 1);
}

on_both_backends!(
    a_retried_upload_stores_one_asset,
    uploads_are_probed_from_their_content,
    forms_carry_the_file_and_its_description,
    refusals_are_clear_and_change_nothing,
    presets_are_made_once_and_cached_for_good,
);
