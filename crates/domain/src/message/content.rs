//! The six message types and their limits, and the links they carry.

use super::{MAX_BUTTON_NAME_CHARS, MAX_URL_BYTES};
use crate::validation::{display_text, ValidationError};
use serde::{Deserialize, Serialize};

pub const MAX_TEXT_CHARS: usize = 1_000;
pub const MAX_IMAGE_TEXT_CHARS: usize = 400;
pub const MAX_WIDE_IMAGE_TEXT_CHARS: usize = 76;
pub const MAX_TITLE_CHARS: usize = 30;
pub const MAX_DESCRIPTION_CHARS: usize = 180;
pub const LIST_ITEMS: (usize, usize) = (3, 4);
pub const CAROUSEL_CARDS: (usize, usize) = (2, 10);
pub const MAX_PRICE: u64 = 99_999_999;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum MessageContent {
    Text {
        text: String,
    },
    Image {
        image_url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    WideImage {
        image_url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    WideList {
        header: String,
        items: Vec<ListItem>,
    },
    Commerce {
        image_url: String,
        title: String,
        regular_price: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        discount_price: Option<u64>,
    },
    Carousel {
        cards: Vec<Card>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListItem {
    pub title: String,
    pub image_url: String,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub title: String,
    pub image_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A web-link button: a label and an http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub name: String,
    pub url: String,
}

impl Button {
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        display_text(&format!("{field}.name"), &self.name, MAX_BUTTON_NAME_CHARS)?;
        web_link(&format!("{field}.url"), &self.url)
    }
}

/// An absolute http or https URL with a host, at most [`MAX_URL_BYTES`]; `javascript:`,
/// `data:` and every other scheme are refused.
pub fn web_link(field: &str, url: &str) -> Result<(), ValidationError> {
    if url.len() > MAX_URL_BYTES {
        return Err(ValidationError::new(
            field,
            format!("the link is {} bytes; at most {MAX_URL_BYTES}", url.len()),
        ));
    }
    crate::web_url::WebUrl::parse(url)
        .map(drop)
        .map_err(|why| ValidationError::new(field, format!("the link {why}")))
}

fn count(field: &str, n: usize, (min, max): (usize, usize)) -> Result<(), ValidationError> {
    if n < min || n > max {
        return Err(ValidationError::new(
            field,
            format!("{n} given; between {min} and {max} required"),
        ));
    }
    Ok(())
}

fn optional_text(field: &str, text: &Option<String>, max: usize) -> Result<(), ValidationError> {
    text.as_deref()
        .map_or(Ok(()), |t| display_text(field, t, max).map(drop))
}

/// Message text may hold line breaks (no other control characters).
fn message_text(field: &str, text: &str, max: usize) -> Result<(), ValidationError> {
    let chars = text.chars().count();
    if text.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if chars > max {
        return Err(ValidationError::new(
            field,
            format!("{chars} characters; at most {max}"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ValidationError::new(
            field,
            "must not contain control characters other than line breaks",
        ));
    }
    Ok(())
}

impl MessageContent {
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Text { text } => message_text("content.text", text, MAX_TEXT_CHARS),
            Self::Image { image_url, text } => {
                web_link("content.image_url", image_url)?;
                optional_text("content.text", text, MAX_IMAGE_TEXT_CHARS)
            }
            Self::WideImage { image_url, text } => {
                web_link("content.image_url", image_url)?;
                optional_text("content.text", text, MAX_WIDE_IMAGE_TEXT_CHARS)
            }
            Self::WideList { header, items } => {
                display_text("content.header", header, MAX_TITLE_CHARS)?;
                count("content.items", items.len(), LIST_ITEMS)?;
                for (i, item) in items.iter().enumerate() {
                    let f = format!("content.items[{i}]");
                    display_text(&format!("{f}.title"), &item.title, MAX_TITLE_CHARS)?;
                    web_link(&format!("{f}.image_url"), &item.image_url)?;
                    web_link(&format!("{f}.link"), &item.link)?;
                }
                Ok(())
            }
            Self::Commerce {
                image_url,
                title,
                regular_price,
                discount_price,
            } => {
                web_link("content.image_url", image_url)?;
                display_text("content.title", title, MAX_TITLE_CHARS)?;
                if *regular_price > MAX_PRICE {
                    return Err(ValidationError::new(
                        "content.regular_price",
                        format!("at most {MAX_PRICE}"),
                    ));
                }
                if discount_price.is_some_and(|d| d >= *regular_price) {
                    return Err(ValidationError::new(
                        "content.discount_price",
                        "must be below the regular price",
                    ));
                }
                Ok(())
            }
            Self::Carousel { cards } => {
                count("content.cards", cards.len(), CAROUSEL_CARDS)?;
                for (i, card) in cards.iter().enumerate() {
                    let f = format!("content.cards[{i}]");
                    display_text(&format!("{f}.title"), &card.title, MAX_TITLE_CHARS)?;
                    web_link(&format!("{f}.image_url"), &card.image_url)?;
                    optional_text(
                        &format!("{f}.description"),
                        &card.description,
                        MAX_DESCRIPTION_CHARS,
                    )?;
                }
                Ok(())
            }
        }
    }

    /// The text a reader sees first (where an ad's marker goes).
    pub fn leading_text(&self) -> &str {
        match self {
            Self::Text { text } => text,
            Self::Image { text, .. } | Self::WideImage { text, .. } => {
                text.as_deref().unwrap_or_default()
            }
            Self::WideList { header, .. } => header,
            Self::Commerce { title, .. } => title,
            Self::Carousel { cards } => cards.first().map_or("", |c| c.title.as_str()),
        }
    }

    pub fn leading_field(&self) -> &'static str {
        match self {
            Self::Text { .. } | Self::Image { .. } | Self::WideImage { .. } => "text",
            Self::WideList { .. } => "header",
            Self::Commerce { .. } => "title",
            Self::Carousel { .. } => "first card's title",
        }
    }
}
