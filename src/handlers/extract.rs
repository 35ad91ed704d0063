//! Extractors that own their rejections: malformed paths and query strings become the app's
//! own 400 (a page, or JSON under /api) instead of the framework's plain-text default.

use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::QueryRejection},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::{domain::PlaceKey, error::AppError};

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

/// An urlencoded form body, as `axum::Form`; too large a body is a 413.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(request, state)
            .await
            .map(|axum::Form(value)| Self(value))
            .map_err(|e| {
                tracing::debug!(error = %e, "bad form");
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest(
                        "The form was not sent whole. Please reload the page and try again."
                            .to_owned(),
                    )
                }
            })
    }
}

/// A multipart body's fields one by one, as `axum::extract::Multipart`; too large a body is
/// a 413 wherever it is noticed.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(request, state)
            .await
            .map(Self)
            .map_err(|e| {
                tracing::debug!(error = %e, "bad multipart request");
                AppError::BadRequest(
                    "The form was not sent as expected. Please reload the page and try again."
                        .to_owned(),
                )
            })
    }
}

/// Maps an error met while reading multipart fields.
pub fn multipart_error(error: axum::extract::multipart::MultipartError) -> AppError {
    tracing::debug!(%error, "multipart field");
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest("The form was not sent whole. Please try again.".to_owned())
    }
}

/// Parses a country and a postal code from a URL into a key, or says which one is wrong.
pub fn place_key(country: &str, postal_code: &str) -> Result<PlaceKey, AppError> {
    PlaceKey::parse(country, postal_code).map_err(AppError::BadRequest)
}
