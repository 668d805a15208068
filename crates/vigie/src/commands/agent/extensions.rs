//! The `[[pass]]`, `[[pass_persist]]`, `[[extend]]` and `[[proxy]]` tables of `vigie
//! agent`'s configuration: Net-SNMP's `pass`, `pass_persist`, `extend` and `proxy` lines
//! (snmpd.conf(5)), checked at load (a program that does not exist or cannot be run is a
//! start-up error naming its field) and turned into `vigie_agent` handlers at start.
//!
//! ```toml
//! [[pass]]
//! oid = ".1.3.6.1.4.1.99999"
//! command = "/usr/local/bin/pass.sh"     # or ["/usr/bin/python3", "/usr/local/bin/pass.py"]
//! timeout = 5                            # seconds (default 5)
//!
//! [[pass_persist]]
//! oid = ".1.3.6.1.4.1.99998"
//! command = ["/usr/local/bin/persist.py"]
//!
//! [[extend]]
//! name = "uptime"
//! command = "/usr/bin/uptime"
//! args = ["-p"]                          # or a string, split like snmpd
//! cache_time = 5                         # seconds (snmpd's default)
//!
//! [[proxy]]
//! oid = ".1.3.6.1.4.1.2021"              # served here
//! remote_oid = ".1.3.6.1.4.1.2021"       # named so there (default: oid)
//! target = "udp:192.0.2.7:161"
//! version = "v2c"                        # "v1", "v2c" or "v3" (user fields as [[trap]])
//! community = "public"
//! timeout = 1                            # seconds per try (default 1)
//! retries = 1                            # (default 5)
//! context = "far"                        # snmpd's -Cn: served in this context (default: "")
//! remote_context = "vrf-blue"             # v3 only, snmpd's -n: asked in this far context
//! ```

use std::ffi::OsString;
use std::ops::Range;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use vigie_agent::extend::{Extend, ExtendCommand, Log, Pass, PassPersist, Program};
use vigie_agent::mib::Mib;
use vigie_agent::proxy::Proxy;
use vigie_net::Session;
use vigie_snmp::{Oid, Version};

use super::{V3Fields, parse_listen, v3_user};

/// A program's default time limit.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// `extend`'s default cache time, snmpd's.
const DEFAULT_CACHE_TIME: u64 = 5;
/// The longest context name (`SnmpAdminString`, RFC 3411 §5).
const MAX_CONTEXT_NAME: usize = 32;

/// A command as written: one string split like snmpd splits it, or an argv array.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum FileCommand {
    /// `"/path/prog arg 'two words'"`.
    Line(String),
    /// `["/path/prog", "arg", "two words"]`.
    Argv(Vec<String>),
}

/// A `[[pass]]` or `[[pass_persist]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePass {
    oid: toml::Spanned<String>,
    command: toml::Spanned<FileCommand>,
    /// snmpd's `-p`: accepted; subtrees may not overlap here, so it never decides.
    priority: Option<i64>,
    timeout: Option<toml::Spanned<f64>>,
}

/// An `[[extend]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileExtend {
    name: toml::Spanned<String>,
    command: toml::Spanned<FileCommand>,
    args: Option<toml::Spanned<FileCommand>>,
    cache_time: Option<u64>,
    timeout: Option<toml::Spanned<f64>>,
}

/// A `[[proxy]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileProxy {
    oid: toml::Spanned<String>,
    remote_oid: Option<toml::Spanned<String>>,
    target: toml::Spanned<String>,
    version: Option<toml::Spanned<String>>,
    community: Option<toml::Spanned<String>>,
    user: Option<toml::Spanned<String>>,
    level: Option<toml::Spanned<String>>,
    auth: Option<toml::Spanned<String>>,
    auth_password: Option<toml::Spanned<String>>,
    privacy: Option<toml::Spanned<String>>,
    priv_password: Option<toml::Spanned<String>>,
    context: Option<toml::Spanned<String>>,
    remote_context: Option<toml::Spanned<String>>,
    timeout: Option<toml::Spanned<f64>>,
    retries: Option<u32>,
}

/// The validated extensions.
#[derive(Debug, Default)]
pub(crate) struct Extensions {
    pass: Vec<Script>,
    pass_persist: Vec<Script>,
    extend: Vec<ExtendCommand>,
    proxy: Vec<ProxySpec>,
}

/// A `pass` or `pass_persist` registration.
#[derive(Debug)]
struct Script {
    oid: Oid,
    program: Program,
    timeout: Duration,
}

/// A `proxy` registration; the session holds its community or keys (`Debug` hides them).
#[derive(Debug)]
struct ProxySpec {
    /// The context it is served in, empty for the default one.
    context: Vec<u8>,
    oid: Oid,
    remote_oid: Oid,
    session: Session,
}

impl Extensions {
    /// Whether any handler that blocks (a program, a proxy) is configured: the agent then
    /// answers on blocking threads.
    pub(crate) fn blocks(&self) -> bool {
        !(self.pass.is_empty()
            && self.pass_persist.is_empty()
            && self.extend.is_empty()
            && self.proxy.is_empty())
    }

    /// The non-default contexts the proxies serve, for VACM's context table.
    pub(crate) fn contexts(&self) -> impl Iterator<Item = &[u8]> {
        self.proxy
            .iter()
            .map(|spec| spec.context.as_slice())
            .filter(|context| !context.is_empty())
    }

    /// Reads and checks the four kinds of tables; errors carry `FILE:LINE:COL: table.field`.
    pub(super) fn load(
        pass: &[FilePass],
        pass_persist: &[FilePass],
        extend: &[FileExtend],
        proxy: &[FileProxy],
        at: &impl Fn(Range<usize>, String) -> String,
    ) -> Result<Self, String> {
        let mut extensions = Self::default();
        for (section, tables, into) in [
            ("pass", pass, &mut extensions.pass),
            ("pass_persist", pass_persist, &mut extensions.pass_persist),
        ] {
            for table in tables {
                // Registrations never overlap (the registry refuses it): no priority to rank.
                let _ = table.priority;
                into.push(Script {
                    oid: parse_oid(section, "oid", &table.oid, at)?,
                    program: program(section, &table.command, None, at)?,
                    timeout: timeout(section, table.timeout.as_ref(), DEFAULT_TIMEOUT, at)?,
                });
            }
        }
        for table in extend {
            let name = table.name.get_ref();
            if name.is_empty() || name.len() > 127 {
                return Err(at(
                    table.name.span(),
                    "extend.name: must be 1 to 127 bytes (it becomes the row's index)".to_owned(),
                ));
            }
            if extensions
                .extend
                .iter()
                .any(|other: &ExtendCommand| other.name == *name)
            {
                return Err(at(
                    table.name.span(),
                    format!("extend.name: `{name}` is already configured"),
                ));
            }
            let program = program("extend", &table.command, table.args.as_ref(), at)?;
            let args = match table.args.as_ref().map(toml::Spanned::get_ref) {
                Some(FileCommand::Line(line)) => line.clone(),
                Some(FileCommand::Argv(argv)) => argv.join(" "),
                None => match table.command.get_ref() {
                    FileCommand::Line(line) => split(line)
                        .into_iter()
                        .skip(1)
                        .collect::<Vec<_>>()
                        .join(" "),
                    FileCommand::Argv(argv) => {
                        argv.iter().skip(1).cloned().collect::<Vec<_>>().join(" ")
                    }
                },
            };
            extensions.extend.push(ExtendCommand {
                name: name.clone(),
                program,
                args,
                cache_time: Duration::from_secs(table.cache_time.unwrap_or(DEFAULT_CACHE_TIME)),
                timeout: timeout("extend", table.timeout.as_ref(), DEFAULT_TIMEOUT, at)?,
            });
        }
        for table in proxy {
            extensions.proxy.push(proxy_spec(table, at)?);
        }
        Ok(extensions)
    }
}

/// The handlers for `extensions`, each with the context it is served in (empty for the
/// default one), their messages sent to the log (or standard error when there is none).
/// Proxies open their client here, on the caller's runtime.
pub(crate) async fn handlers(
    extensions: &Extensions,
) -> Result<Vec<(Vec<u8>, Box<dyn Mib>)>, String> {
    let log = log();
    let mut handlers: Vec<Box<dyn Mib>> = Vec::new();
    for script in &extensions.pass {
        handlers.push(Box::new(Pass::new(
            script.oid.clone(),
            script.program.clone(),
            script.timeout,
            Arc::clone(&log),
        )));
    }
    for script in &extensions.pass_persist {
        handlers.push(Box::new(PassPersist::new(
            script.oid.clone(),
            script.program.clone(),
            script.timeout,
            Arc::clone(&log),
        )));
    }
    if !extensions.extend.is_empty() {
        handlers.push(Box::new(Extend::new(
            extensions.extend.clone(),
            Arc::clone(&log),
        )));
    }
    let mut in_contexts: Vec<(Vec<u8>, Box<dyn Mib>)> = Vec::new();
    for spec in &extensions.proxy {
        let proxy = Proxy::new(
            spec.oid.clone(),
            spec.remote_oid.clone(),
            spec.session.clone(),
            Arc::clone(&log),
        )
        .await
        .map_err(|error| format!("proxy .{}: {error}", spec.oid))?;
        in_contexts.push((spec.context.clone(), Box::new(proxy) as Box<dyn Mib>));
    }
    Ok(handlers
        .into_iter()
        .map(|handler| (Vec::new(), handler))
        .chain(in_contexts)
        .collect())
}

/// Messages of the handlers: to the log when `vigie serve` set one up, else standard error.
fn log() -> Log {
    Arc::new(|line: &str| {
        if tracing::dispatcher::has_been_set() {
            tracing::warn!(target: "vigie::agent", "{line}");
        } else {
            eprintln!("vigie agent: {line}");
        }
    })
}

/// An OID field in dotted form, leading dot optional.
fn parse_oid(
    section: &str,
    field: &str,
    text: &toml::Spanned<String>,
    at: &impl Fn(Range<usize>, String) -> String,
) -> Result<Oid, String> {
    text.get_ref().trim().parse().map_err(|_| {
        at(
            text.span(),
            format!(
                "{section}.{field}: `{}` is not a numeric OID",
                text.get_ref()
            ),
        )
    })
}

/// A time limit in seconds, more than zero.
fn timeout(
    section: &str,
    value: Option<&toml::Spanned<f64>>,
    default: Duration,
    at: &impl Fn(Range<usize>, String) -> String,
) -> Result<Duration, String> {
    let Some(value) = value else {
        return Ok(default);
    };
    let seconds = *value.get_ref();
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(at(
            value.span(),
            format!("{section}.timeout: {seconds} is not a number of seconds between 0 and 3600"),
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The program of `command` (and `args`), checked to exist and be executable.
fn program(
    section: &str,
    command: &toml::Spanned<FileCommand>,
    args: Option<&toml::Spanned<FileCommand>>,
    at: &impl Fn(Range<usize>, String) -> String,
) -> Result<Program, String> {
    let mut argv = match command.get_ref() {
        FileCommand::Line(line) => split(line),
        FileCommand::Argv(argv) => argv.clone(),
    };
    if let Some(args) = args {
        match args.get_ref() {
            FileCommand::Line(line) => argv.extend(split(line)),
            FileCommand::Argv(more) => argv.extend(more.iter().cloned()),
        }
    }
    let Some(name) = argv.first() else {
        return Err(at(command.span(), format!("{section}.command: empty")));
    };
    executable(name).map_err(|error| at(command.span(), format!("{section}.command: {error}")))?;
    Program::new(argv.into_iter().map(OsString::from).collect())
        .ok_or_else(|| at(command.span(), format!("{section}.command: empty")))
}

/// Checks that `name` (a path, or a name looked up in `PATH`) is an executable file.
fn executable(name: &str) -> Result<PathBuf, String> {
    let is_executable = |path: &Path| {
        std::fs::metadata(path)
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    };
    if name.contains('/') {
        let path = PathBuf::from(name);
        return match std::fs::metadata(&path) {
            Err(error) => Err(format!("`{name}`: {error}")),
            Ok(_) if !is_executable(&path) => Err(format!("`{name}` is not an executable file")),
            Ok(_) => Ok(path),
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| is_executable(path))
        .ok_or_else(|| format!("`{name}` is not an executable found in PATH"))
}

/// Splits a command line into words as snmpd's `copy_nword` does: blanks separate words,
/// single or double quotes group them, a backslash protects the next quote.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            return words;
        };
        let mut word = String::new();
        if first == '"' || first == '\'' {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\\' && chars.peek() == Some(&first) {
                    word.push(first);
                    chars.next();
                } else if c == first {
                    break;
                } else {
                    word.push(c);
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                word.push(c);
            }
        }
        words.push(word);
    }
}

/// A `[[proxy]]` table as a session to the far agent.
fn proxy_spec(
    table: &FileProxy,
    at: &impl Fn(Range<usize>, String) -> String,
) -> Result<ProxySpec, String> {
    let oid = parse_oid("proxy", "oid", &table.oid, at)?;
    let remote_oid = match &table.remote_oid {
        Some(text) => parse_oid("proxy", "remote_oid", text, at)?,
        None => oid.clone(),
    };
    let context = match &table.context {
        Some(text) if text.get_ref().len() > MAX_CONTEXT_NAME => {
            return Err(at(
                text.span(),
                format!("proxy.context: longer than {MAX_CONTEXT_NAME} bytes"),
            ));
        }
        Some(text) => text.get_ref().clone().into_bytes(),
        None => Vec::new(),
    };
    let text = table.target.get_ref();
    let address = parse_listen(text)
        .or_else(|_| parse_listen(&format!("{text}:161")))
        .map_err(|error| at(table.target.span(), format!("proxy.target: {error}")))?;
    let version = match &table.version {
        None => Version::V2c,
        Some(text) => match text.get_ref().as_str() {
            "v2c" | "2c" => Version::V2c,
            "v1" | "1" => Version::V1,
            "v3" | "3" => Version::V3,
            other => {
                return Err(at(
                    text.span(),
                    format!("proxy.version: `{other}` is not \"v1\", \"v2c\" or \"v3\""),
                ));
            }
        },
    };
    let mut session = if version == Version::V3 {
        if let Some(community) = &table.community {
            return Err(at(
                community.span(),
                "proxy.community: not a field of a v3 proxy".to_owned(),
            ));
        }
        let Some(user) = &table.user else {
            return Err(at(
                table.target.span(),
                "proxy.user: a v3 proxy needs a user".to_owned(),
            ));
        };
        let mut usm = v3_user(
            "proxy",
            &V3Fields {
                user,
                level: table.level.as_ref(),
                auth: table.auth.as_ref(),
                auth_password: table.auth_password.as_ref(),
                privacy: table.privacy.as_ref(),
                priv_password: table.priv_password.as_ref(),
            },
            at,
        )?;
        if let Some(text) = &table.remote_context {
            if text.get_ref().len() > MAX_CONTEXT_NAME {
                return Err(at(
                    text.span(),
                    format!("proxy.remote_context: longer than {MAX_CONTEXT_NAME} bytes"),
                ));
            }
            usm.context_name = text.get_ref().clone().into_bytes().into();
        }
        Session::v3(address, usm)
    } else {
        if let Some(text) = &table.remote_context {
            return Err(at(
                text.span(),
                "proxy.remote_context: only for a v3 proxy (in v1 and v2c the community \
                 chooses the far agent's context)"
                    .to_owned(),
            ));
        }
        if let Some((span, field)) = [
            (&table.user, "user"),
            (&table.level, "level"),
            (&table.auth, "auth"),
            (&table.auth_password, "auth_password"),
            (&table.privacy, "privacy"),
            (&table.priv_password, "priv_password"),
        ]
        .into_iter()
        .find_map(|(field, name)| field.as_ref().map(|text| (text.span(), name)))
        {
            return Err(at(span, format!("proxy.{field}: only for a v3 proxy")));
        }
        let Some(community) = &table.community else {
            return Err(at(
                table.target.span(),
                "proxy.community: a v1 or v2c proxy needs a community".to_owned(),
            ));
        };
        Session::new(address, version, community.get_ref().clone().into_bytes())
    };
    if let Some(value) = &table.timeout {
        session.timeout = timeout("proxy", Some(value), session.timeout, at)?;
    }
    if let Some(retries) = table.retries {
        session.retries = retries;
    }
    Ok(ProxySpec {
        context,
        oid,
        remote_oid,
        session,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(span: Range<usize>, message: String) -> String {
        format!("{}..{}: {message}", span.start, span.end)
    }

    #[derive(Debug, Deserialize)]
    struct File {
        #[serde(default)]
        pass: Vec<FilePass>,
        #[serde(default)]
        pass_persist: Vec<FilePass>,
        #[serde(default)]
        extend: Vec<FileExtend>,
        #[serde(default)]
        proxy: Vec<FileProxy>,
    }

    fn load(text: &str) -> Result<Extensions, String> {
        let file: File = toml::from_str(text).map_err(|error| error.to_string())?;
        Extensions::load(
            &file.pass,
            &file.pass_persist,
            &file.extend,
            &file.proxy,
            &at,
        )
    }

    #[test]
    fn splits_commands_like_snmpd() {
        assert_eq!(
            split(r#"/bin/sh -c "echo 'a b'" x  'y z'"#),
            ["/bin/sh", "-c", "echo 'a b'", "x", "y z"]
        );
        assert!(split("   ").is_empty());
    }

    #[test]
    fn reads_every_kind() {
        let extensions = load(
            "[[pass]]\noid = \".1.3.6.1.4.1.99999\"\ncommand = \"/bin/echo x\"\ntimeout = 2\n\
             [[pass_persist]]\noid = \"1.3.6.1.4.1.99998\"\ncommand = [\"/bin/cat\"]\n\
             [[extend]]\nname = \"hello\"\ncommand = \"/bin/echo\"\nargs = \"hello world\"\n\
             [[proxy]]\noid = \".1.3.6.1.4.1.2021\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             community = \"public\"\nretries = 1\n",
        )
        .unwrap();
        assert!(extensions.blocks());
        assert_eq!(extensions.pass[0].timeout, Duration::from_secs(2));
        assert_eq!(extensions.extend[0].args, "hello world");
        assert_eq!(extensions.proxy[0].session.retries, 1);
        assert!(!format!("{extensions:?}").contains("public"));
        assert!(!Extensions::default().blocks());
    }

    #[test]
    fn refuses_missing_programs_and_bad_fields() {
        let error =
            load("[[pass]]\noid = \".1.3.6.1.4.1.99999\"\ncommand = \"/nonexistent/pass.sh\"\n")
                .err()
                .unwrap();
        assert!(
            error.contains("pass.command: `/nonexistent/pass.sh`"),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("not-executable");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = load(&format!(
            "[[extend]]\nname = \"x\"\ncommand = \"{}\"\n",
            plain.display()
        ))
        .err()
        .unwrap();
        assert!(error.contains("is not an executable file"), "{error}");
        let error = load("[[pass_persist]]\noid = \"enterprises\"\ncommand = \"/bin/cat\"\n")
            .err()
            .unwrap();
        assert!(
            error.contains("pass_persist.oid: `enterprises` is not a numeric OID"),
            "{error}"
        );
        let error = load(&format!(
            "[[proxy]]\noid = \".1.3.6.1.4.1.2021\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             community = \"public\"\ncontext = \"{}\"\n",
            "c".repeat(33)
        ))
        .err()
        .unwrap();
        assert!(
            error.contains("proxy.context: longer than 32 bytes"),
            "{error}"
        );
        let extensions = load(
            "[[proxy]]\noid = \".1.3\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             community = \"public\"\ncontext = \"far\"\n",
        )
        .unwrap();
        assert_eq!(extensions.contexts().collect::<Vec<_>>(), [b"far"]);
        let error = load(
            "[[proxy]]\noid = \".1.3.6.1.4.1.2021\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             version = \"v3\"\nuser = \"u\"\nlevel = \"authPriv\"\n",
        )
        .err()
        .unwrap();
        assert!(
            error.contains("proxy.level: authPriv needs keys"),
            "{error}"
        );
        // A privacy password without authentication is refused, as for [[trap]].
        let error = load(
            "[[proxy]]\noid = \".1.3.6.1.4.1.2021\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             version = \"v3\"\nuser = \"u\"\npriv_password = \"secret-priv\"\n",
        )
        .err()
        .unwrap();
        assert!(
            error.contains("proxy.privacy: needs auth and auth_password"),
            "{error}"
        );
        // snmpd's -n: the far context, for v3 only.
        let extensions = load(
            "[[proxy]]\noid = \".1.3.6.1.4.1.2021\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             version = \"v3\"\nuser = \"u\"\nauth = \"SHA\"\nauth_password = \"secret-auth\"\n\
             remote_context = \"vrf-blue\"\n",
        )
        .unwrap();
        let usm = extensions.proxy[0].session.usm.as_ref().unwrap();
        assert_eq!(&usm.context_name[..], b"vrf-blue");
        let error = load(
            "[[proxy]]\noid = \".1.3.6.1.4.1.2021\"\ntarget = \"udp:127.0.0.1:1161\"\n\
             community = \"public\"\nremote_context = \"vrf-blue\"\n",
        )
        .err()
        .unwrap();
        assert!(
            error.contains("proxy.remote_context: only for a v3 proxy"),
            "{error}"
        );
        let error = load(&format!(
            "[[proxy]]\noid = \".1.3\"\ntarget = \"udp:127.0.0.1:1161\"\nversion = \"v3\"\n\
             user = \"u\"\nremote_context = \"{}\"\n",
            "c".repeat(33)
        ))
        .err()
        .unwrap();
        assert!(
            error.contains("proxy.remote_context: longer than 32 bytes"),
            "{error}"
        );
    }
}
