//! Extractors that own their rejections: malformed paths and query strings become the app's
//! own 400 (a page, or JSON under /api) instead of the framework's plain-text default.

use axum::{
    extract::{FromRequestParts, rejection::QueryRejection},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

use crate::{
    domain::{CountryCode, PlaceKey, PostalCode},
    error::AppError,
};

/// Path parameters, as `axum::extract::Path`.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|e| {
                tracing::debug!(error = %e, "bad path");
                AppError::BadRequest("This address is not one Cityscape understands.".to_owned())
            })
    }
}

/// A query string, as `axum::extract::Query`.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|e: QueryRejection| {
                tracing::debug!(error = %e, "bad query string");
                AppError::BadRequest("The query string of this address is malformed.".to_owned())
            })
    }
}

/// Parses a country and a postal code from a URL into a key, or says which one is wrong.
pub fn place_key(country: &str, postal_code: &str) -> Result<PlaceKey, AppError> {
    let country = CountryCode::parse(country).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let postal_code =
        PostalCode::parse(postal_code).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(PlaceKey {
        country,
        postal_code,
    })
}
