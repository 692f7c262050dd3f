//! The account part both client builders share: who (the Velneo e-mail, the WEDOS user), the secret (API key,
//! WAPI password), the base URL, what the environment said, and the errors of a missing one.

use crate::error::{Detail, Error, Result};
use crate::secret::Secret;

/// The names one API gives the account settings: its environment variables, settings and words.
#[derive(Debug)]
pub(crate) struct Names {
    /// The operation errors name: `wedos client`.
    pub op: &'static str,
    /// The identity: its setting, environment variable and words (`user`, `WEDOS_USER`, `a user`).
    pub id: (&'static str, &'static str, &'static str),
    /// The secret: its setting, environment variable and words.
    pub secret: (&'static str, &'static str, &'static str),
    /// The base URL's environment variable, and the production URL.
    pub base_url_env: &'static str,
    pub default_base_url: &'static str,
}

/// The account settings of a client builder.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub id: Option<String>,
    pub secret: Option<Secret>,
    pub base_url: String,
    /// Whether the environment was read (errors then name its variables), and whether it had an empty base URL.
    env_read: bool,
    env_base_url_empty: bool,
    names: &'static Names,
}

impl Account {
    pub fn new(names: &'static Names, base_url: String) -> Self {
        Account { id: None, secret: None, base_url, env_read: false, env_base_url_empty: false, names }
    }

    /// Fills identity, secret and base URL from the environment (the base URL's variable optional).
    pub fn read_env(&mut self) {
        let n = self.names;
        if let Ok(v) = std::env::var(n.id.1) {
            self.id = Some(v);
        }
        if let Ok(v) = std::env::var(n.secret.1) {
            self.secret = Some(Secret::new(v));
        }
        if let Ok(v) = std::env::var(n.base_url_env) {
            if v.trim().is_empty() {
                self.env_base_url_empty = true;
            } else {
                self.base_url = v;
            }
        }
        self.env_read = true;
    }

    /// The identity, the secret and the checked base URL; a `Config` error (with its [`Detail`]) for a missing
    /// one, or for an empty base URL variable that would otherwise mean production.
    pub fn check(&self) -> Result<(String, Secret, String)> {
        let n = self.names;
        let missing = |(setting, env, what): (&'static str, &str, &str)| {
            let e = if self.env_read {
                Error::config(n.op, format!("{what} is required: {env} is not set"))
            } else {
                Error::config(n.op, format!("{what} is required: give it, or read {env} with from_env"))
            };
            e.with_detail(Detail::MissingSetting(setting))
        };
        if self.env_base_url_empty && self.base_url == n.default_base_url {
            return Err(Error::config(
                n.op,
                format!("{} is set but empty; unset it to use the production API", n.base_url_env),
            ));
        }
        let id = self.id.clone().filter(|u| !u.trim().is_empty()).ok_or_else(|| missing(n.id))?;
        let secret = self.secret.clone().filter(|p| !p.is_empty()).ok_or_else(|| missing(n.secret))?;
        let base_url = crate::transport::check_base_url(n.op, &self.base_url)?;
        Ok((id, secret, base_url))
    }
}
