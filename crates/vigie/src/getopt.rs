//! Command-line scanning as glibc's `getopt` does it for the Net-SNMP tools.
//!
//! `snmpget`, `snmpgetnext`, `snmpbulkget`, `snmpwalk` and `snmpbulkwalk` let options follow
//! the agent and the OIDs (GNU permutation); `snmpset`, `snmptrap` and `snmpinform` stop at the
//! first operand, so that `snmpset … OID i -5` sends -5. Both behaviours were checked against
//! Net-SNMP 5.9.3.

/// Whether options may follow operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ordering {
    /// Options anywhere; `--` ends them (GNU `getopt`).
    Permute,
    /// Options end at the first operand (POSIX `getopt`).
    RequireOrder,
}

/// One scanned element of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// A short option and its argument, when it takes one.
    Short(char, Option<String>),
    /// A long option `--name` or `--name=value`.
    Long(String),
    /// An operand.
    Operand(String),
}

/// What `getopt` reports before Net-SNMP prints its usage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GetoptError {
    /// An option letter not in the option string.
    #[error("invalid option -- '{0}'")]
    Invalid(char),
    /// An option that needs an argument came last.
    #[error("option requires an argument -- '{0}'")]
    MissingArgument(char),
}

/// Scans `args` (without the program name). `with_argument` says, for each option letter
/// Net-SNMP knows, whether it takes an argument; `None` means an unknown letter.
///
/// Items come back in command-line order, operands included, so that the caller sees options
/// in the order Net-SNMP applies them.
pub(crate) fn scan(
    args: &[String],
    ordering: Ordering,
    with_argument: impl Fn(char) -> Option<bool>,
) -> Result<Vec<Item>, GetoptError> {
    let mut items = Vec::with_capacity(args.len());
    let mut index = 0;
    let mut options_ended = false;
    while let Some(arg) = args.get(index) {
        index += 1;
        if options_ended || arg == "-" || !arg.starts_with('-') {
            items.push(Item::Operand(arg.clone()));
            if ordering == Ordering::RequireOrder {
                options_ended = true;
            }
            continue;
        }
        if arg == "--" {
            options_ended = true;
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            items.push(Item::Long(long.to_owned()));
            continue;
        }
        for (at, letter) in arg.char_indices().skip(1) {
            match with_argument(letter) {
                None => return Err(GetoptError::Invalid(letter)),
                Some(false) => items.push(Item::Short(letter, None)),
                Some(true) => {
                    let rest = &arg[at + letter.len_utf8()..];
                    let value = if rest.is_empty() {
                        let next = args
                            .get(index)
                            .ok_or(GetoptError::MissingArgument(letter))?;
                        index += 1;
                        next.clone()
                    } else {
                        rest.to_owned()
                    };
                    items.push(Item::Short(letter, Some(value)));
                    break;
                }
            }
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(letter: char) -> Option<bool> {
        match letter {
            'v' | 'c' | 'O' | 'C' => Some(true),
            'd' | 'h' => Some(false),
            _ => None,
        }
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn short(letter: char, value: &str) -> Item {
        Item::Short(letter, Some(value.to_owned()))
    }

    fn operand(text: &str) -> Item {
        Item::Operand(text.to_owned())
    }

    #[test]
    fn attached_and_separate_arguments() {
        let items = scan(
            &args(&["-v2c", "-c", "public", "-dOnq", "host"]),
            Ordering::Permute,
            spec,
        )
        .unwrap();
        assert_eq!(
            items,
            [
                short('v', "2c"),
                short('c', "public"),
                Item::Short('d', None),
                short('O', "nq"),
                operand("host")
            ]
        );
    }

    #[test]
    fn permutation_reads_options_after_operands() {
        let items = scan(&args(&["host", "oid", "-On"]), Ordering::Permute, spec).unwrap();
        assert_eq!(items, [operand("host"), operand("oid"), short('O', "n")]);
    }

    #[test]
    fn require_order_stops_at_the_first_operand() {
        let items = scan(
            &args(&["-c", "x", "host", "oid", "i", "-5", "-On"]),
            Ordering::RequireOrder,
            spec,
        )
        .unwrap();
        assert_eq!(
            items,
            [
                short('c', "x"),
                operand("host"),
                operand("oid"),
                operand("i"),
                operand("-5"),
                operand("-On")
            ]
        );
    }

    #[test]
    fn double_dash_ends_options() {
        let items = scan(&args(&["--", "-On"]), Ordering::Permute, spec).unwrap();
        assert_eq!(items, [operand("-On")]);
    }

    #[test]
    fn long_options_and_lone_dash() {
        let items = scan(&args(&["--json", "-"]), Ordering::Permute, spec).unwrap();
        assert_eq!(items, [Item::Long("json".to_owned()), operand("-")]);
    }

    #[test]
    fn errors_name_the_letter() {
        assert_eq!(
            scan(&args(&["-Q"]), Ordering::Permute, spec),
            Err(GetoptError::Invalid('Q'))
        );
        assert_eq!(
            scan(&args(&["host", "-5"]), Ordering::Permute, spec),
            Err(GetoptError::Invalid('5'))
        );
        assert_eq!(
            scan(&args(&["-c"]), Ordering::Permute, spec),
            Err(GetoptError::MissingArgument('c'))
        );
        assert_eq!(
            GetoptError::Invalid('Q').to_string(),
            "invalid option -- 'Q'"
        );
        assert_eq!(
            GetoptError::MissingArgument('c').to_string(),
            "option requires an argument -- 'c'"
        );
    }
}
