//! JSON helpers for C programs: quoting a text into a JSON string (so a password holding `"` or `\` cannot break
//! the options or arguments a program builds), and reading a field of a result by its JSON Pointer.

use std::ffi::c_char;

use serde_json::Value;

use crate::{ffi, hostapi_status, invalid, out_ptr, text, write_string};

/// Writes `text` as a JSON string literal, quotes included, to `*out_json` (free it with `hostapi_string_free`):
/// `pa"ss` becomes `"pa\"ss"`. Use it for every value put into an options or arguments JSON.
#[no_mangle]
pub extern "C" fn hostapi_json_quote(text_in: *const c_char, out_json: *mut *mut c_char) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        let t = text(text_in, "text")?;
        write_string(out_json, Value::from(t).to_string())
    })
}

/// Reads the value at `pointer` (RFC 6901, e.g. `"/id"`, `"/0/name"`; `""` is the whole document) of the JSON text
/// `json` with `read`, and writes what it gives to `*out`. `HOSTAPI_INVALID_ARGUMENT` naming the pointer when
/// there is no value there, or `read` refuses it (`what` says what was expected).
fn get<T>(
    json: *const c_char,
    pointer: *const c_char,
    out: *mut T,
    what: &str,
    read: impl FnOnce(&Value) -> Option<T>,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out, "out")?;
        let doc = crate::json_arg(json, "json")?;
        let pointer = text(pointer, "pointer")?;
        let value = doc.pointer(pointer).ok_or_else(|| invalid(format!("no value at {pointer:?}")))?;
        let got = read(value).ok_or_else(|| invalid(format!("the value at {pointer:?} is not {what}")))?;
        // SAFETY: `out` was checked non-NULL and points to writable storage for a `T`.
        unsafe { out.write(got) };
        Ok(())
    })
}

/// The text at `pointer` of the JSON `json` (a result of `hostapi_*_call`), written to `*out_text` (free it with
/// `hostapi_string_free`). A number is written as its decimal text. `HOSTAPI_INVALID_ARGUMENT` when there is no
/// value there, or it is not text or a number.
#[no_mangle]
pub extern "C" fn hostapi_json_get_string(
    json: *const c_char,
    pointer: *const c_char,
    out_text: *mut *mut c_char,
) -> hostapi_status {
    get(json, pointer, out_text, "text", |v| {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        std::ffi::CString::new(s).ok().map(std::ffi::CString::into_raw)
    })
}

/// The whole number at `pointer` of the JSON `json`, written to `*out_value`. `HOSTAPI_INVALID_ARGUMENT` when
/// there is no value there, or it is not a whole number.
#[no_mangle]
pub extern "C" fn hostapi_json_get_int(json: *const c_char, pointer: *const c_char, out_value: *mut i64) -> hostapi_status {
    get(json, pointer, out_value, "a whole number", Value::as_i64)
}

/// The boolean at `pointer` of the JSON `json`, written to `*out_value`. `HOSTAPI_INVALID_ARGUMENT` when there is
/// no value there, or it is not `true` or `false`.
#[no_mangle]
pub extern "C" fn hostapi_json_get_bool(json: *const c_char, pointer: *const c_char, out_value: *mut bool) -> hostapi_status {
    get(json, pointer, out_value, "true or false", Value::as_bool)
}

/// The length of the JSON array at `pointer` of `json` (e.g. a list result, `""`), written to `*out_len`.
#[no_mangle]
pub extern "C" fn hostapi_json_array_len(json: *const c_char, pointer: *const c_char, out_len: *mut usize) -> hostapi_status {
    get(json, pointer, out_len, "an array", |v| v.as_array().map(Vec::len))
}
