//! The server's errors: an HTTP status and a typed JSON body, `{"error": KIND, …}`.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A request's failure: its status and its JSON body (whose `error` names the kind).
#[derive(Clone, Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "error": kind, "message": message.into() }),
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether this is the store failing (the board is then unusable until a restart).
    pub fn is_storage(&self) -> bool {
        self.body["error"] == "storage"
    }

    /// A library error in context, as the CLI maps them: a refused entry is 409 with its
    /// check; a step the election's state does not allow now is 409 `not_now`; the store
    /// failing is 503 `storage`; anything else (input that does not decode, that is not of
    /// this election) is 422 `invalid`.
    pub fn from_lib(context: &str, e: tabella::Error) -> Self {
        match e {
            tabella::Error::EntryRefused(f) => ApiError {
                status: StatusCode::CONFLICT,
                body: json!({
                    "error": "refused",
                    "check": f.check.number(),
                    "name": f.check.description(),
                    "entry": f.entry,
                    "round": f.round,
                    "message": format!("{context}: {}", f.error),
                }),
            },
            e @ (tabella::Error::Storage { .. } | tabella::Error::BoardCorrupted { .. }) => {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage",
                    format!("{context}: {e}; the board is unusable until the server restarts"),
                )
            }
            e @ (tabella::Error::Rule(_)
            | tabella::Error::CeremonyFailed { .. }
            | tabella::Error::NotEnoughShares { .. }
            | tabella::Error::RollMissing
            | tabella::Error::InvalidValue {
                what: "board state",
                ..
            }) => ApiError::new(StatusCode::CONFLICT, "not_now", format!("{context}: {e}")),
            e => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("{context}: {e}"),
            ),
        }
    }

    /// A ballot whose credential, signature or proofs do not verify (422, with the check a
    /// board would refuse it under).
    pub fn invalid_ballot(e: &tabella::Error) -> Self {
        let check = if e.is_eligibility() {
            tabella::verify::Check::Eligibility
        } else {
            tabella::verify::Check::BallotProofs
        };
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "error": "invalid_ballot",
                "check": check.number(),
                "name": check.description(),
                "message": e.to_string(),
            }),
        }
    }

    /// A body that could not be read: too large (413 `too_large`) or otherwise (400).
    pub fn body(rejection: &BytesRejection) -> Self {
        let status = rejection.status();
        let kind = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "bad_request"
        };
        ApiError::new(status, kind, rejection.body_text())
    }

    /// A voter's entry posted where only signed entries go (422 `voter_entry`).
    pub fn voter_entry() -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "voter_entry",
            "a voter's entry goes to /api/ballot or /api/challenged, not /api/entry",
        )
    }

    /// A malformed URL parameter (400 `bad_request`).
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// Nothing of the kind on the board (404 `not_found`).
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The board cannot take requests (503 `unavailable`).
    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// Too many requests from one address (429 `rate_limited`).
    pub fn rate_limited() -> Self {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address: slow down",
        )
    }

    /// A request that took too long (408 `timeout`).
    pub fn timeout() -> Self {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "the request took too long",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
