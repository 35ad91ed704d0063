//! axe-core (Deque's accessibility rules, the npm package) run inside every kind of page, in
//! light and in dark mode: no violation of WCAG 2.x A or AA, nor of axe's best practices.
//!
//! axe-core is read from `AXE_CORE_JS`, or from `target/axe/node_modules/axe-core/axe.min.js`
//! where `.ci/run` installs it (`npm install --prefix target/axe axe-core@4`).

use fantoccini::Client;
use serde_json::{Value, json};

use crate::{
    helpers::spawn_app_with,
    person::{Scheme, every_kind_of_page, start_browser_in, start_driver},
};

fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/axe/node_modules/axe-core/axe.min.js"
        )
        .to_owned()
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is needed at {path} ({e}): npm install --prefix target/axe axe-core@4, \
             or set AXE_CORE_JS"
        )
    })
}

/// The violations axe finds in the page the browser shows, each as "rule: where (why)".
async fn violations(browser: &Client, axe: &str) -> Vec<String> {
    browser
        .execute(axe, vec![])
        .await
        .unwrap_or_else(|e| panic!("axe-core did not load: {e}"));
    let found = browser
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, {
                 runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
               }).then(r => done(r.violations), e => done([{ id: "axe failed", help: String(e), nodes: [] }]));"#,
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("axe-core did not run: {e}"));
    found
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|violation| {
            let targets: Vec<String> = violation["nodes"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|node| {
                    format!(
                        "{} {}",
                        node["target"],
                        node["failureSummary"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "{}: {} [{}]",
                violation["id"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or_default(),
                targets.join("; ")
            )
        })
        .collect()
}

#[tokio::test]
async fn no_page_breaks_an_accessibility_rule_in_light_or_dark_mode() {
    // Arrange
    let axe = axe_source();
    let app = spawn_app_with(&["--upstream", "simulated"]).await;
    let driver = start_driver().await;
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pages = every_kind_of_page(&app, &driver, scratch.path()).await;
    let mut found = Vec::new();

    for scheme in [Scheme::Light, Scheme::Dark] {
        let profile = scratch.path().join(format!("{scheme:?}"));
        let browser = start_browser_in(&driver, &profile, 1280, scheme).await;
        for page in &pages {
            // Act
            browser.goto(page).await.unwrap_or_else(|e| panic!("{e}"));
            let dark = browser
                .execute(
                    "return matchMedia('(prefers-color-scheme: dark)').matches;",
                    vec![],
                )
                .await
                .unwrap_or(Value::Null);
            assert_eq!(dark, json!(scheme == Scheme::Dark), "the browser's scheme");
            // The charts' tables and the past events open, so their contents are checked too.
            browser
                .execute(
                    "document.querySelectorAll('details').forEach(d => d.open = true);",
                    vec![],
                )
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            for violation in violations(&browser, &axe).await {
                found.push(format!("{page} ({scheme:?}): {violation}"));
            }
        }
        browser.close().await.unwrap_or_else(|e| panic!("{e}"));
    }

    // Assert
    assert!(found.is_empty(), "{}", found.join("\n"));
}
