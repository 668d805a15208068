//! A warning when a configuration file that holds secrets can be read by other users.
//!
//! `vigie serve`'s and `vigie agent`'s files may hold communities, USM passwords, the SMTP
//! password and webhook keys. A file whose group or other read bit is set (`mode & 0o044`)
//! and which holds one of them earns a warning that names the file and the fix, as OpenSSH
//! does for private keys; the file is still read, since refusing would stop monitoring over a
//! permission.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Keys whose string value (or array of strings) is a secret, in either file.
const SECRET_KEYS: &[&str] = &[
    "community",
    "communities",
    "password",
    "auth_password",
    "priv_password",
    "secret",
];

/// The warning for `path`, whose contents are `text`, when others can read it and it holds a
/// secret; `None` otherwise (or when its mode cannot be read).
pub(crate) fn warning(path: &Path, text: &str) -> Option<String> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    readable_by_others(mode)
        .then(|| holds_secret(text))
        .filter(|held| *held)
        .map(|_| {
            let file = path.display();
            format!(
                "{file} holds secrets (communities or passwords) and other users can read it \
                 (mode {:04o}): run `chmod 600 {file}`",
                mode & 0o7777
            )
        })
}

/// True when the group or others may read a file of this mode.
fn readable_by_others(mode: u32) -> bool {
    mode & 0o044 != 0
}

/// True when the TOML `text` sets a secret: a key of [`SECRET_KEYS`] anywhere, or the `name`
/// of a `[[community]]` section (the agent's file, where the community is its name). Text that
/// is not TOML holds nothing this can find; its parse error comes from the loader.
fn holds_secret(text: &str) -> bool {
    let Ok(table) = text.parse::<toml::Table>() else {
        return false;
    };
    table_holds_secret(&table, None)
}

fn table_holds_secret(table: &toml::Table, section: Option<&str>) -> bool {
    table.iter().any(|(key, value)| {
        let secret_key =
            SECRET_KEYS.contains(&key.as_str()) || (section == Some("community") && key == "name");
        (secret_key && is_set(value))
            || (key == "url" && value.as_str().is_some_and(url_has_password))
            || value_holds_secret(value, key)
    })
}

fn value_holds_secret(value: &toml::Value, key: &str) -> bool {
    match value {
        toml::Value::Table(table) => table_holds_secret(table, Some(key)),
        toml::Value::Array(items) => items.iter().any(|item| value_holds_secret(item, key)),
        _ => false,
    }
}

/// True when `url` carries a password (`scheme://user:password@host/…`).
fn url_has_password(url: &str) -> bool {
    url.split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .and_then(|authority| authority.rsplit_once('@'))
        .is_some_and(|(user_info, _)| user_info.contains(':'))
}

/// A non-empty string, or an array holding one.
fn is_set(value: &toml::Value) -> bool {
    match value {
        toml::Value::String(text) => !text.is_empty(),
        toml::Value::Array(items) => items.iter().any(is_set),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn finds_secrets_in_both_files() {
        assert!(holds_secret("[receiver]\ncommunities = [\"s3cret\"]\n"));
        assert!(holds_secret(
            "[[devices]]\nname = \"r1\"\naddress = \"192.0.2.1\"\ncommunity = \"c\"\n"
        ));
        assert!(holds_secret(
            "[smtp]\nhost = \"h\"\nfrom = \"f\"\npassword = \"p\"\n"
        ));
        assert!(holds_secret(
            "[[receiver.users]]\nname = \"u\"\nauth = \"SHA\"\nauth_password = \"p\"\n"
        ));
        assert!(holds_secret("[[actions]]\nname = \"w\"\nsecret = \"k\"\n"));
        assert!(holds_secret(
            "[[community]]\nname = \"public\"\naccess = \"read\"\n"
        ));
        assert!(holds_secret(
            "[storage]\nurl = \"postgres://vigie:pw@db/vigie\"\n"
        ));
        assert!(!holds_secret(
            "[storage]\nurl = \"postgres://vigie@db/vigie?host=/run/postgresql\"\n"
        ));
        assert!(!holds_secret("[server]\nhttp = \"127.0.0.1:8080\"\n"));
        assert!(!holds_secret("[[devices]]\nname = \"r1\"\n"));
        assert!(!holds_secret("[receiver]\ncommunities = []\n"));
        assert!(!holds_secret("not = toml = at all"));
    }

    #[test]
    fn warns_only_when_others_can_read_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vigie.toml");
        fs::write(&path, "[receiver]\ncommunities = [\"s3cret\"]\n").unwrap();
        let text = fs::read_to_string(&path).unwrap();
        for (mode, warned) in [(0o644, true), (0o640, true), (0o604, true), (0o600, false)] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let warning = warning(&path, &text);
            assert_eq!(warning.is_some(), warned, "mode {mode:o}");
            if let Some(warning) = warning {
                assert!(warning.contains(&format!("chmod 600 {}", path.display())));
                assert!(warning.contains(&format!("{mode:04o}")));
                assert!(!warning.contains("s3cret"));
            }
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(warning(&path, "[server]\n"), None);
    }
}
