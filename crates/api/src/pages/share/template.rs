//! Kakao Talk Share's default templates (`feed`, `list`, `commerce`, `location`, `text`)
//! and scraps, checked the way Kakao's sharer checks them (required fields, types, at
//! most two buttons, a text of at most 200 characters, two or three list contents), and
//! turned into what the share page previews. A failure is Kakao's error 4002 ("a wrong
//! request") with a sentence saying which field is wrong.

use serde_json::{Map, Value};

/// The largest `validation_params` accepted (ours: Kakao documents no figure).
pub const MAX_PARAMS_BYTES: usize = 10 * 1024;
/// Kakao: a text template's `text` holds at most 200 characters.
pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_BUTTONS: usize = 2;

/// Why a template was refused (shown with error code 4002).
#[derive(Debug, PartialEq, Eq)]
pub struct TemplateError(pub String);

type Checked<T> = Result<T, TemplateError>;

fn bad<T>(message: impl Into<String>) -> Checked<T> {
    Err(TemplateError(message.into()))
}

/// One block of the preview: a content (feed, list row, commerce, location) or a text.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Block {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Only the host is shown: the page never loads another site's image.
    pub image_host: Option<String>,
    pub link: Option<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Preview {
    pub object_type: String,
    pub header: Option<String>,
    pub blocks: Vec<Block>,
    /// Commerce: the price line; location: the address.
    pub extra: Option<String>,
    /// Button titles and where they lead.
    pub buttons: Vec<(String, Option<String>)>,
}

/// Checks `validation_params` for `validation_action` and returns what to preview.
pub fn check(action: &str, params: &str) -> Checked<Preview> {
    if params.len() > MAX_PARAMS_BYTES {
        return bad(format!(
            "validation_params is longer than {MAX_PARAMS_BYTES} bytes"
        ));
    }
    let Ok(Value::Object(params)) = serde_json::from_str::<Value>(params) else {
        return bad("validation_params must be a JSON object");
    };
    match action {
        "default" => match params.get("template_object") {
            Some(Value::Object(t)) => default_template(t),
            Some(_) => bad("template_object must be an object"),
            None => bad("template_object is required"),
        },
        "scrap" => scrap(&params),
        "custom" => bad("custom templates (template_id) are not supported by talkchannel"),
        other => bad(format!(
            "validation_action `{}` is not one of default, scrap",
            clip(other)
        )),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

fn scrap(params: &Map<String, Value>) -> Checked<Preview> {
    let url = string(params, "request_url", "")?
        .ok_or_else(|| TemplateError("request_url is required".into()))?;
    let parsed = url::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    let Some(parsed) = parsed else {
        return bad("request_url must be an absolute http(s) URL");
    };
    Ok(Preview {
        object_type: "scrap".into(),
        blocks: vec![Block {
            title: parsed.host_str().map(str::to_owned),
            link: Some(url),
            ..Block::default()
        }],
        ..Preview::default()
    })
}

fn default_template(t: &Map<String, Value>) -> Checked<Preview> {
    let object_type = string(t, "object_type", "")?
        .ok_or_else(|| TemplateError("object_type is required".into()))?;
    let mut preview = match object_type.as_str() {
        "feed" => Preview {
            blocks: vec![content(required(t, "content", "")?, "content")?],
            ..Preview::default()
        },
        "text" => text(t)?,
        "list" => list(t)?,
        "commerce" => commerce(t)?,
        "location" => location(t)?,
        "calendar" => return bad("calendar templates are not supported by talkchannel"),
        other => {
            return bad(format!(
                "object_type `{}` is not one of feed, list, commerce, location, text",
                clip(other)
            ))
        }
    };
    preview.object_type = object_type;
    preview.buttons = buttons(t)?;
    Ok(preview)
}

fn text(t: &Map<String, Value>) -> Checked<Preview> {
    let text = string(t, "text", "")?.ok_or_else(|| TemplateError("text is required".into()))?;
    if text.chars().count() > MAX_TEXT_CHARS {
        return bad(format!("text is longer than {MAX_TEXT_CHARS} characters"));
    }
    Ok(Preview {
        blocks: vec![Block {
            description: Some(text),
            link: link(required(t, "link", "")?, "link")?,
            ..Block::default()
        }],
        ..Preview::default()
    })
}

fn list(t: &Map<String, Value>) -> Checked<Preview> {
    let header = string(t, "header_title", "")?
        .ok_or_else(|| TemplateError("header_title is required".into()))?;
    if let Some(l) = t.get("header_link") {
        link(object(l, "header_link")?, "header_link")?;
    }
    let Some(Value::Array(contents)) = t.get("contents") else {
        return bad("contents is required and must be an array");
    };
    if !(2..=3).contains(&contents.len()) {
        return bad("contents must hold 2 or 3 contents");
    }
    let blocks = contents
        .iter()
        .enumerate()
        .map(|(i, c)| {
            content(
                object(c, &format!("contents[{i}]"))?,
                &format!("contents[{i}]"),
            )
        })
        .collect::<Checked<Vec<_>>>()?;
    Ok(Preview {
        header: Some(header),
        blocks,
        ..Preview::default()
    })
}

fn commerce(t: &Map<String, Value>) -> Checked<Preview> {
    let block = content(required(t, "content", "")?, "content")?;
    let c = required(t, "commerce", "")?;
    let regular = int(c, "regular_price", "commerce.")?
        .ok_or_else(|| TemplateError("commerce.regular_price is required".into()))?;
    let discount = int(c, "discount_price", "commerce.")?;
    for k in ["discount_rate", "fixed_discount_price"] {
        int(c, k, "commerce.")?;
    }
    let unit = string(c, "currency_unit", "commerce.")?.unwrap_or_else(|| "원".into());
    string(c, "product_name", "commerce.")?;
    let price = match discount {
        Some(d) => format!("{d}{unit} ({regular}{unit})"),
        None => format!("{regular}{unit}"),
    };
    Ok(Preview {
        blocks: vec![block],
        extra: Some(price),
        ..Preview::default()
    })
}

fn location(t: &Map<String, Value>) -> Checked<Preview> {
    let block = content(required(t, "content", "")?, "content")?;
    let address =
        string(t, "address", "")?.ok_or_else(|| TemplateError("address is required".into()))?;
    let title = string(t, "address_title", "")?;
    Ok(Preview {
        blocks: vec![block],
        extra: Some(title.map_or(address.clone(), |t| format!("{t} · {address}"))),
        ..Preview::default()
    })
}

fn content(c: &Map<String, Value>, at: &str) -> Checked<Block> {
    let p = format!("{at}.");
    for k in ["image_width", "image_height"] {
        if int(c, k, &p)?.is_some_and(|v| v <= 0) {
            return bad(format!("{p}{k} must be a positive integer"));
        }
    }
    let image_host = match string(c, "image_url", &p)? {
        Some(u) => Some(
            http_url(&u, &format!("{p}image_url"))?
                .host_str()
                .unwrap_or("")
                .to_owned(),
        ),
        None => None,
    };
    Ok(Block {
        title: string(c, "title", &p)?,
        description: string(c, "description", &p)?,
        image_host,
        link: link(required(c, "link", &p)?, &format!("{p}link"))?,
    })
}

fn buttons(t: &Map<String, Value>) -> Checked<Vec<(String, Option<String>)>> {
    if let Some(title) = string(t, "button_title", "")? {
        return Ok(vec![(title, None)]);
    }
    let list = match t.get("buttons") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return bad("buttons must be an array"),
    };
    if list.len() > MAX_BUTTONS {
        return bad(format!("buttons holds at most {MAX_BUTTONS} buttons"));
    }
    list.iter()
        .enumerate()
        .map(|(i, b)| {
            let at = format!("buttons[{i}].");
            let b = object(b, &format!("buttons[{i}]"))?;
            let title = string(b, "title", &at)?
                .ok_or_else(|| TemplateError(format!("{at}title is required")))?;
            Ok((
                title,
                link(required(b, "link", &at)?, &format!("{at}link"))?,
            ))
        })
        .collect()
}

/// A Link object; its first web URL is what the preview links to.
fn link(l: &Map<String, Value>, at: &str) -> Checked<Option<String>> {
    let p = format!("{at}.");
    for k in ["android_execution_params", "ios_execution_params"] {
        string(l, k, &p)?;
    }
    let mut first = None;
    for k in ["web_url", "mobile_web_url"] {
        if let Some(u) = string(l, k, &p)? {
            http_url(&u, &format!("{p}{k}"))?;
            first.get_or_insert(u);
        }
    }
    Ok(first)
}

fn http_url(raw: &str, at: &str) -> Checked<url::Url> {
    url::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| TemplateError(format!("{at} must be an absolute http(s) URL")))
}

fn object<'a>(v: &'a Value, at: &str) -> Checked<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| TemplateError(format!("{at} must be an object")))
}

fn required<'a>(m: &'a Map<String, Value>, k: &str, p: &str) -> Checked<&'a Map<String, Value>> {
    match m.get(k) {
        None | Some(Value::Null) => bad(format!("{p}{k} is required")),
        Some(v) => object(v, &format!("{p}{k}")),
    }
}

/// An optional string field; an empty string counts as absent, another type is refused.
fn string(m: &Map<String, Value>, k: &str, p: &str) -> Checked<Option<String>> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => bad(format!("{p}{k} must be a string")),
    }
}

fn int(m: &Map<String, Value>, k: &str, p: &str) -> Checked<Option<i64>> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| TemplateError(format!("{p}{k} must be an integer"))),
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
