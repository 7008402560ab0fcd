//! The arguments of MAIL and RCPT: the path in angle brackets (RFC 5321
//! §4.1.2, with the liberties common servers take, each recorded as a
//! [`Deviation`]) and the ESMTP parameters after it (§4.1.1.11).

use super::*;

/// `FROM:<path> params` or `TO:<path> params`.
pub(super) fn parse_path_arg(
    verb: Verb,
    arg: &str,
    keyword: &'static str,
    deviations: &mut Vec<Deviation>,
) -> Result<(PathArg, Vec<Parameter>), CommandError> {
    let err = |p: SyntaxProblem| CommandError::syntax(verb, p);
    if arg.is_empty() {
        return Err(err(SyntaxProblem::MissingArgument));
    }
    let expected = if keyword == "FROM" { "FROM:" } else { "TO:" };
    let kw_len = keyword.len();
    let head = arg.get(..kw_len).unwrap_or("");
    if !head.eq_ignore_ascii_case(keyword) {
        return Err(err(SyntaxProblem::ExpectedKeyword { expected }));
    }
    let after_kw = &arg[kw_len..];
    let Some(after_colon) = after_kw.strip_prefix(':') else {
        return Err(err(SyntaxProblem::MissingColon { keyword }));
    };
    let path_text = after_colon.trim_start_matches(' ');
    if path_text.len() != after_colon.len() {
        deviations.push(Deviation::SpaceAfterColon);
    }
    if path_text.is_empty() {
        return Err(err(SyntaxProblem::MissingAddress));
    }
    let (path, params_text) = if let Some(inner_start) = path_text.strip_prefix('<') {
        let close = find_closing_bracket(inner_start)
            .ok_or(err(SyntaxProblem::Address(AddressError::UnclosedBracket)))?;
        let inner = &inner_start[..close];
        let after = &inner_start[close + 1..];
        let path = if inner.is_empty() {
            PathArg::Null
        } else if inner.eq_ignore_ascii_case("postmaster") {
            PathArg::Postmaster
        } else {
            PathArg::Path(address::parse_path_inner(inner, true).map_err(|e| err(e.into()))?)
        };
        if !after.is_empty() && !after.starts_with(' ') {
            return Err(err(SyntaxProblem::BadParameter(after.to_string())));
        }
        (path, after)
    } else {
        deviations.push(Deviation::NoAngleBrackets);
        let (addr, after) = match path_text.find(' ') {
            Some(i) => (&path_text[..i], &path_text[i..]),
            None => (path_text, ""),
        };
        let path = if addr.eq_ignore_ascii_case("postmaster") {
            PathArg::Postmaster
        } else {
            PathArg::Path(address::parse_path_inner(addr, false).map_err(|e| err(e.into()))?)
        };
        (path, after)
    };
    if let PathArg::Path(p) = &path
        && !p.source_route.is_empty()
    {
        deviations.push(Deviation::SourceRoute);
    }
    let params = parse_parameters(params_text).map_err(err)?;
    Ok((path, params))
}

fn find_closing_bracket(s: &str) -> Option<usize> {
    crate::proto::smtp::address::unquoted(s)
        .find(|&(_, c)| c == '>')
        .map(|(i, _)| i)
}

/// RFC 5321 §4.1.2: `esmtp-param = esmtp-keyword ["=" esmtp-value]`.
fn parse_parameters(text: &str) -> Result<Vec<Parameter>, SyntaxProblem> {
    let mut params = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let (keyword, value) = match word.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (word, None),
        };
        let keyword_ok = crate::proto::smtp::ehlo::is_keyword(keyword);
        // esmtp-value: one or more of %d33-60 / %d62-126 (or UTF-8, RFC 6531).
        let value_ok =
            value.is_none_or(|v| !v.is_empty() && v.chars().all(|c| c != '=' && !c.is_control()));
        if !keyword_ok || !value_ok {
            return Err(SyntaxProblem::BadParameter(word.to_string()));
        }
        params.push(Parameter {
            keyword: keyword.to_string(),
            value: value.map(str::to_string),
        });
    }
    Ok(params)
}
