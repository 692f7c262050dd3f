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

/// The value at `pointer` (RFC 6901, e.g. `"/id"`, `"/0/name"`; `""` is the whole document) of the JSON text
/// `json`, or an `HOSTAPI_INVALID_ARGUMENT` error naming the pointer when there is none.
fn at<'v>(doc: &'v Value, pointer: &str) -> Result<&'v Value, crate::Failure> {
    doc.pointer(pointer).filter(|v| !v.is_null()).ok_or_else(|| invalid(format!("no value at {pointer:?}")))
}

fn document(json: *const c_char) -> Result<Value, crate::Failure> {
    crate::json_arg(json, "json")
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
    ffi(|| {
        out_ptr(out_text, "out_text")?;
        let doc = document(json)?;
        let pointer = text(pointer, "pointer")?;
        let value = match at(&doc, pointer)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(invalid(format!("the value at {pointer:?} is not text"))),
        };
        write_string(out_text, value)
    })
}

/// The whole number at `pointer` of the JSON `json`, written to `*out_value`. `HOSTAPI_INVALID_ARGUMENT` when
/// there is no value there, or it is not a whole number.
#[no_mangle]
pub extern "C" fn hostapi_json_get_int(json: *const c_char, pointer: *const c_char, out_value: *mut i64) -> hostapi_status {
    ffi(|| {
        out_ptr(out_value, "out_value")?;
        let doc = document(json)?;
        let pointer = text(pointer, "pointer")?;
        let n = at(&doc, pointer)?
            .as_i64()
            .ok_or_else(|| invalid(format!("the value at {pointer:?} is not a whole number")))?;
        // SAFETY: `out_value` was checked non-NULL and points to writable storage for an int64_t.
        unsafe { *out_value = n };
        Ok(())
    })
}

/// The boolean at `pointer` of the JSON `json`, written to `*out_value`. `HOSTAPI_INVALID_ARGUMENT` when there is
/// no value there, or it is not `true` or `false`.
#[no_mangle]
pub extern "C" fn hostapi_json_get_bool(json: *const c_char, pointer: *const c_char, out_value: *mut bool) -> hostapi_status {
    ffi(|| {
        out_ptr(out_value, "out_value")?;
        let doc = document(json)?;
        let pointer = text(pointer, "pointer")?;
        let b = at(&doc, pointer)?
            .as_bool()
            .ok_or_else(|| invalid(format!("the value at {pointer:?} is not true or false")))?;
        // SAFETY: `out_value` was checked non-NULL and points to writable storage for a bool.
        unsafe { *out_value = b };
        Ok(())
    })
}

/// The length of the JSON array at `pointer` of `json` (e.g. a list result, `""`), written to `*out_len`.
#[no_mangle]
pub extern "C" fn hostapi_json_array_len(json: *const c_char, pointer: *const c_char, out_len: *mut usize) -> hostapi_status {
    ffi(|| {
        out_ptr(out_len, "out_len")?;
        let doc = document(json)?;
        let pointer = text(pointer, "pointer")?;
        let n = match doc.pointer(pointer) {
            Some(Value::Array(a)) => a.len(),
            Some(_) => return Err(invalid(format!("the value at {pointer:?} is not an array"))),
            None => return Err(invalid(format!("no value at {pointer:?}"))),
        };
        // SAFETY: `out_len` was checked non-NULL and points to writable storage for a size_t.
        unsafe { *out_len = n };
        Ok(())
    })
}
