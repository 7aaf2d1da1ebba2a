//! The dashboard: three pages and their assets, compiled into the binary.
//!
//! Only files in [`ASSETS`] are served, looked up by exact name: no file system access, so
//! no path traversal. Pages are the shared layout with a body fragment; the charts inside are
//! fetched from the API as server-drawn SVG.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::{ApiError, AppState};

/// An embedded file: name under `/assets/`, content type, bytes.
pub struct Asset {
    /// Name under `/assets/`.
    pub name: &'static str,
    /// `Content-Type` header.
    pub content_type: &'static str,
    /// File contents.
    pub bytes: &'static [u8],
}

/// A script asset: the shared `app.js` and one per page.
const fn script(name: &'static str, bytes: &'static [u8]) -> Asset {
    Asset {
        name,
        content_type: "text/javascript; charset=utf-8",
        bytes,
    }
}

/// Every file the dashboard serves under `/assets/`.
pub const ASSETS: &[Asset] = &[
    script("app.js", include_bytes!("../assets/app.js")),
    script("monitor.js", include_bytes!("../assets/monitor.js")),
    script("exposure.js", include_bytes!("../assets/exposure.js")),
    script("scenario.js", include_bytes!("../assets/scenario.js")),
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../assets/favicon.svg"),
    },
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/style.css"),
    },
];

/// The dashboard's pages: URL path segment, title, body fragment.
const PAGES: &[(&str, &str, &str)] = &[
    ("monitor", "Monitor", include_str!("../assets/monitor.html")),
    (
        "exposure",
        "Exposure",
        include_str!("../assets/exposure.html"),
    ),
    (
        "scenario",
        "Scenario",
        include_str!("../assets/scenario.html"),
    ),
];

const LAYOUT: &str = include_str!("../assets/layout.html");

fn page(name: &str) -> Option<&'static str> {
    static RENDERED: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    let rendered = RENDERED.get_or_init(|| {
        PAGES
            .iter()
            .map(|(page, title, body)| {
                let html = LAYOUT
                    .replace("{{title}}", title)
                    .replace("{{page}}", page)
                    .replace("{{body}}", body);
                (*page, html)
            })
            .collect()
    });
    rendered
        .iter()
        .find(|(p, _)| *p == name)
        .map(|(_, html)| html.as_str())
}

/// What a page may load and who may frame it: its own scripts, styles and the server's
/// charts only (inline style attributes, as the server-drawn SVG carries them), fetches to its
/// own API, and no framing by other sites (web review: pages had no security headers).
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                           img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; \
                           form-action 'self'; frame-ancestors 'none'";

fn html(name: &str) -> Response {
    match page(name) {
        Some(body) => (
            [
                (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
            Html(body),
        )
            .into_response(),
        None => ApiError::NotFound {
            what: format!("page {name}"),
        }
        .into_response(),
    }
}

/// The icon every page links to (`/favicon.svg`); browsers that ask for `/favicon.ico`
/// anyway (a JSON page opened from the API link) get the same SVG, not a 404 in the console.
async fn favicon() -> Response {
    asset(Path("favicon.svg".to_string())).await
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            a.bytes,
        )
            .into_response(),
        None => ApiError::NotFound {
            what: format!("asset `{name}`"),
        }
        .into_response(),
    }
}

/// The dashboard routes: `/` (the Monitor page), `/monitor`, `/exposure`, `/scenario`,
/// `/assets/{name}`, and the icon at `/favicon.svg` and `/favicon.ico`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { html("monitor") }))
        .route("/monitor", get(|| async { html("monitor") }))
        .route("/exposure", get(|| async { html("exposure") }))
        .route("/scenario", get(|| async { html("scenario") }))
        .route("/assets/{*name}", get(asset))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_renders_with_layout() {
        for (name, title, _) in PAGES {
            let html = page(name).unwrap();
            assert!(html.contains(&format!("<title>{title} · chokepoint</title>")));
            assert!(html.contains(&format!("data-page=\"{name}\"")));
            assert!(!html.contains("{{"), "placeholder left in {name}");
            // An icon of its own, so the browser does not ask for /favicon.ico (a 404
            // in the console of every page).
            assert!(
                html.contains(r#"<link rel="icon" href="/favicon.svg""#),
                "{name}"
            );
        }
    }

    #[test]
    fn pages_load_nothing_from_outside() {
        for (name, _, _) in PAGES {
            let html = page(name).unwrap();
            assert!(
                !html.contains("http://") && !html.contains("https://"),
                "{name}"
            );
        }
        for a in ASSETS {
            // An SVG's namespace is a name, not a request.
            let text = String::from_utf8_lossy(a.bytes).replace("http://www.w3.org/2000/svg", "");
            assert!(
                !text.contains("http://") && !text.contains("https://"),
                "{}",
                a.name
            );
        }
    }
}
