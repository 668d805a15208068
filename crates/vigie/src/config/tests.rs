use std::net::SocketAddr;
use std::time::Duration;

use super::validate::parse_duration;
use super::*;

fn parse(text: &str) -> Result<Config, String> {
    Config::parse("vigie.toml", text).map_err(|error| error.to_string())
}

#[test]
fn an_empty_file_is_the_embedded_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(
        config.server.http,
        "127.0.0.1:8080".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(
        config.receiver.listen,
        ["0.0.0.0:162".parse::<SocketAddr>().unwrap()]
    );
    assert_eq!(
        config.agent.listen,
        "127.0.0.1:16100".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(config.storage.retention, Duration::from_secs(30 * 86_400));
    assert_eq!(config.poller.interval, Duration::from_secs(60));
}

#[test]
fn the_documented_example_loads() {
    let example = include_str!("../../../../docs/vigie.example.toml");
    let config = parse(example).unwrap();
    assert_eq!(config.receiver.listen.len(), 2);
    assert_eq!(config.receiver.users.len(), 1);
    assert!(config.receiver.users[0].engine_id.is_some());
    assert_eq!(config.devices.len(), 2);
    assert!(matches!(
        config.devices[1].credentials,
        DeviceCredentials::Usm(_)
    ));
    assert_eq!(config.devices[0].interval, Some(Duration::from_secs(30)));
    assert_eq!(config.thresholds.len(), 2);
    assert_eq!(config.thresholds[1].object, "ifHCInOctets");
    let smtp = config.smtp.as_ref().unwrap();
    assert_eq!(smtp.encryption, SmtpEncryption::StartTls);
    assert_eq!(config.actions.len(), 4);
    assert_eq!(config.rules.len(), 2);
    assert_eq!(config.rules[0].group_interval, Duration::from_secs(300));
}

#[test]
fn errors_name_file_line_and_field() {
    assert_eq!(
        parse("[server]\n\n[receiver]\nlisten = [\"x\"]\n").unwrap_err(),
        "vigie.toml:4: [receiver] listen: invalid address \"x\""
    );
    assert_eq!(
        parse("[storage]\nretention_days = 0\n").unwrap_err(),
        "vigie.toml:2: [storage] retention_days: 0 is not between 1 and 36500"
    );
    assert_eq!(
        parse("[[devices]]\nname = \"r1\"\naddress = \"192.0.2.1\"\nversion = \"v2\"\n")
            .unwrap_err(),
        "vigie.toml:4: [[devices]] version: \"v2\" is not \"v1\", \"v2c\" or \"v3\""
    );
    assert_eq!(
        parse("[[actions]]\nname = \"a\"\nkind = \"email\"\nto = [\"x@y\"]\n[[rules]]\nname = \"r\"\nactions = [\"b\"]\n")
            .unwrap_err(),
        "vigie.toml:7: [[rules]] actions: no [[actions]] is named \"b\""
    );
    let unknown = parse("[server]\nhttp = \"127.0.0.1:1\"\nlisten = 1\n").unwrap_err();
    assert!(
        unknown.starts_with("vigie.toml:3: unknown field `listen`"),
        "{unknown}"
    );
}

#[test]
fn errors_never_show_secrets() {
    let error =
        parse("[[receiver.users]]\nname = \"u\"\nauth = \"SHA\"\nauth_password = \"s3cr\"\n")
            .unwrap_err();
    assert_eq!(
        error,
        "vigie.toml:4: [[receiver.users]] auth_password: is shorter than 8 characters"
    );
    let config = parse("[agent]\ncommunity = \"hush-hush\"\n").unwrap();
    assert!(!format!("{config:?}").contains("hush-hush"));
}

#[test]
fn a_postgresql_url_is_checked_and_its_password_never_shown() {
    let config =
        parse("[storage]\nurl = \"postgres://vigie:hush-hush@db.example/vigie?sslmode=require\"\n")
            .unwrap();
    let url = config.storage.url.as_ref().expect("the URL");
    assert_eq!(
        url.to_string(),
        "postgres://vigie:***@db.example/vigie?sslmode=require"
    );
    assert!(!format!("{config:?}").contains("hush-hush"));
    assert_eq!(
        parse("[storage]\n\nurl = \"mysql://u:hush-hush@h/d\"\n").unwrap_err(),
        "vigie.toml:3: [storage] url: unsupported scheme \"mysql\": use postgres://"
    );
    let error =
        parse("[storage]\nurl = \"postgres://u:hush-hush@h/d?sslmode=sometimes\"\n").unwrap_err();
    assert!(
        error.starts_with("vigie.toml:2: [storage] url: "),
        "{error}"
    );
    assert!(!error.contains("hush-hush"), "{error}");
    assert_eq!(parse("").unwrap().storage.url, None, "SQLite by default");
}

#[test]
fn smtp_encryption_follows_the_port_and_plaintext_auth_is_refused() {
    let config = parse("[smtp]\nhost = \"h\"\nport = 465\nfrom = \"a@b\"\n").unwrap();
    assert_eq!(config.smtp.unwrap().encryption, SmtpEncryption::ImplicitTls);
    let error = parse(
        "[smtp]\nhost = \"h\"\nencryption = \"none\"\nfrom = \"a@b\"\nuser = \"u\"\npassword = \"p\"\n",
    )
    .unwrap_err();
    assert!(
        error.starts_with("vigie.toml:2: [smtp] encryption: AUTH over plain SMTP"),
        "{error}"
    );
}

#[test]
fn a_restart_is_needed_only_for_addresses_and_storage_mode() {
    let old = parse("").unwrap();
    let new = parse(
        "[server]\nhttp = \"127.0.0.1:9090\"\n[agent]\ncommunity = \"other\"\n[storage]\nretention_days = 7\n",
    )
    .unwrap();
    assert_eq!(old.restart_needed(&new), ["[server] http"]);
    // Polling, thresholds, response management and the outbox's retries apply live.
    let live = parse(
        "[poller]\ninterval = \"10s\"\n[[thresholds]]\nname = \"cpu\"\nobject = \
         \"hrProcessorLoad\"\ncondition = \">\"\nvalue = 90\n[smtp]\nhost = \"relay.example\"\n\
         from = \"v@example.com\"\n[[actions]]\nname = \"hook\"\nkind = \"webhook\"\n\
         url = \"https://hooks.example/x\"\n[[rules]]\nname = \"all\"\nactions = [\"hook\"]\n\
         [delivery]\nretry_initial = \"1s\"\n",
    )
    .unwrap();
    assert!(old.restart_needed(&live).is_empty());
}

#[test]
fn durations_take_a_unit() {
    assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
    assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
    assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
    assert_eq!(parse_duration("1d"), Some(Duration::from_secs(86_400)));
    assert_eq!(parse_duration("30"), None);
    assert_eq!(parse_duration("0s"), None);
    assert_eq!(parse_duration("s"), None);
}

#[test]
fn delivery_retries_are_read_and_checked() {
    let config = parse("[delivery]\nretry_initial = \"1s\"\nretry_max = \"2s\"\n").unwrap();
    assert_eq!(config.delivery.retry_initial, Duration::from_secs(1));
    assert_eq!(config.delivery.retry_max, Duration::from_secs(2));
    assert_eq!(
        config.delivery.give_up_after,
        Duration::from_secs(3 * 86_400)
    );
    assert_eq!(
        parse("[delivery]\nretry_initial = \"5m\"\nretry_max = \"1m\"\n").unwrap_err(),
        "vigie.toml:3: [delivery] retry_max: 60s is below retry_initial (300s)"
    );
    assert_eq!(
        parse("[delivery]\n\nretry_initial = \"0s\"\n").unwrap_err(),
        "vigie.toml:3: [delivery] retry_initial: invalid duration \"0s\" (a number and ms, \
         s, m, h or d, e.g. \"30s\")"
    );
}

#[test]
fn a_rule_may_send_at_once() {
    let rule = "[[actions]]\nname = \"m\"\nkind = \"email\"\nto = [\"a@example.net\"]\n\
                [[rules]]\nname = \"r\"\nactions = [\"m\"]\ngroup_wait = ";
    for zero in ["\"0s\"", "\"0\"", "\"00ms\""] {
        let config = parse(&format!("{rule}{zero}\n")).unwrap();
        assert_eq!(config.rules[0].group_wait, Duration::ZERO, "{zero}");
    }
    assert!(parse(&format!("{rule}\"0x\"\n")).is_err());
    assert!(parse(&format!("{rule}\"\"\n")).is_err());
}

#[test]
fn a_trap_forward_is_v2c_with_a_community_or_v3_with_a_user() {
    let v3 = "[[actions]]\nname = \"fwd\"\nkind = \"trap\"\ntarget = \"192.0.2.9:162\"\n\
              user = \"noc\"\nauth = \"SHA-256\"\nauth_password = \"authpass1\"\n\
              privacy = \"AES\"\npriv_password = \"privpass1\"\n";
    let config = parse(v3).unwrap();
    let ActionKind::Trap { community, usm, .. } = &config.actions[0].kind else {
        panic!("not a trap forward: {:?}", config.actions[0]);
    };
    assert!(community.is_none());
    assert_eq!(usm.as_ref().unwrap().user, "noc");
    assert!(!format!("{config:?}").contains("authpass1"));

    let short = v3.replace("authpass1", "short");
    let error = parse(&short).unwrap_err();
    assert!(
        error.starts_with("vigie.toml:5: [[actions]] user: "),
        "{error}"
    );
    assert!(!error.contains("short\""), "{error}");
    assert_eq!(
        parse(&v3.replace("user = \"noc\"\n", "community = \"c\"\nuser = \"noc\"\n")).unwrap_err(),
        "vigie.toml:5: [[actions]] community: an SNMPv3 forward (with user) takes no community"
    );
    let error = parse(&v3.replace("user = \"noc\"\n", "community = \"c\"\n")).unwrap_err();
    assert!(
        error.ends_with("[[actions]] auth: belongs to an SNMPv3 forward: give user too"),
        "{error}"
    );
}
