//! The Lucene/Solr query syntax CKAN clients send in `q`, `fq` and `fq_list` (spec §5.5),
//! parsed into a small tree with the classic Lucene parser's clause semantics under the
//! default operator AND: a clause is required unless `OR` joins it to a neighbour, which
//! makes both optional.

/// How a clause takes part in its boolean query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    Must,
    Should,
    MustNot,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `*:*`.
    All,
    /// Clauses of one boolean query.
    Bool(Vec<(Occur, Node)>),
    /// A term, phrase or pattern, on a field or on the default field.
    Term { field: Option<String>, text: String, kind: TermKind, boost: Option<f32> },
    /// `field:[a TO b]`, `{a TO b}`, with `*` for an open end.
    Range {
        field: Option<String>,
        lower: Option<String>,
        upper: Option<String>,
        lower_inclusive: bool,
        upper_inclusive: bool,
    },
    /// `field:*`.
    Exists(String),
}

/// What kind of value a term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Plain,
    /// A quoted phrase.
    Phrase,
    /// Contains an unescaped `*` or `?`.
    Wildcard,
}

/// A syntax error, reported as CKAN's 409 `Search Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError(pub String);

/// Parses `input` with `default_field` for unfielded terms (`None`: the caller's default).
pub fn parse(input: &str) -> Result<Node, SyntaxError> {
    if input.contains("{!") {
        return Err(SyntaxError("Local parameters are not allowed".into()));
    }
    if input.contains("_query_:") || input.contains("_val_:") {
        return Err(SyntaxError("Magic fields are not allowed".into()));
    }
    let mut parser = Parser { chars: input.chars().collect(), at: 0 };
    let node = parser.query(None)?;
    parser.skip_space();
    if parser.at < parser.chars.len() {
        return Err(parser.error("unexpected input"));
    }
    Ok(node)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Conjunction {
    None,
    And,
    Or,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Modifier {
    None,
    Required,
    Not,
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

/// Characters that end a bare term.
fn is_special(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '"' | '^' | '~' | ':')
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn error(&self, what: &str) -> SyntaxError {
        SyntaxError(format!("Cannot parse query: {what} at position {}", self.at))
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// Returns whether the input continues with the operator word `word` followed by a space
    /// or an opening bracket.
    fn at_word(&self, word: &str) -> bool {
        let len = word.chars().count();
        let matches = word.chars().enumerate().all(|(i, c)| self.chars.get(self.at + i) == Some(&c));
        matches && self.chars.get(self.at + len).is_none_or(|c| c.is_whitespace() || *c == '(')
    }

    fn conjunction(&mut self) -> Conjunction {
        self.skip_space();
        for (word, conjunction) in
            [("AND", Conjunction::And), ("&&", Conjunction::And), ("OR", Conjunction::Or), ("||", Conjunction::Or)]
        {
            if self.at_word(word) {
                self.at += word.chars().count();
                return conjunction;
            }
        }
        Conjunction::None
    }

    fn modifier(&mut self) -> Modifier {
        self.skip_space();
        match self.peek() {
            Some('+') => {
                self.at += 1;
                Modifier::Required
            }
            Some('-') | Some('!') => {
                self.at += 1;
                Modifier::Not
            }
            _ if self.at_word("NOT") => {
                self.at += 3;
                Modifier::Not
            }
            _ => Modifier::None,
        }
    }

    /// A sequence of clauses up to the end or a closing parenthesis.
    fn query(&mut self, field: Option<&str>) -> Result<Node, SyntaxError> {
        let mut clauses: Vec<(Occur, Node)> = Vec::new();
        loop {
            self.skip_space();
            if self.peek().is_none() || self.peek() == Some(')') {
                break;
            }
            let conjunction = if clauses.is_empty() { Conjunction::None } else { self.conjunction() };
            let modifier = self.modifier();
            self.skip_space();
            if self.peek().is_none() || self.peek() == Some(')') {
                return Err(self.error("a clause is missing"));
            }
            let node = self.clause(field)?;
            add_clause(&mut clauses, conjunction, modifier, node);
        }
        Ok(simplify(clauses))
    }

    fn clause(&mut self, field: Option<&str>) -> Result<Node, SyntaxError> {
        if self.peek() == Some('(') {
            return self.group(field);
        }
        if self.peek() == Some('"') {
            let text = self.phrase()?;
            let boost = self.boost()?;
            return Ok(Node::Term { field: field.map(str::to_string), text, kind: TermKind::Phrase, boost });
        }
        if matches!(self.peek(), Some('[') | Some('{')) {
            return self.range(field);
        }
        let (text, wildcard) = self.bare_term()?;
        if self.peek() == Some(':') && field.is_none() {
            self.at += 1;
            return self.fielded(text);
        }
        if text == "*" && field.is_none() {
            return Ok(Node::All);
        }
        let boost = self.boost()?;
        if text == "*" {
            return Ok(Node::Exists(field.unwrap_or("text").to_string()));
        }
        let kind = if wildcard { TermKind::Wildcard } else { TermKind::Plain };
        Ok(Node::Term { field: field.map(str::to_string), text, kind, boost })
    }

    fn fielded(&mut self, name: String) -> Result<Node, SyntaxError> {
        if name.is_empty() {
            return Err(self.error("a field name is missing"));
        }
        match self.peek() {
            None => Err(self.error("a value is missing")),
            Some(c) if c.is_whitespace() || c == ')' => Err(self.error("a value is missing")),
            Some('*') if self.chars.get(self.at + 1).is_none_or(|c| is_special(*c)) && name == "*" => {
                self.at += 1;
                Ok(Node::All)
            }
            _ => self.clause(Some(&name)),
        }
    }

    fn group(&mut self, field: Option<&str>) -> Result<Node, SyntaxError> {
        self.at += 1;
        let inner = self.query(field)?;
        self.skip_space();
        if self.peek() != Some(')') {
            return Err(self.error("missing closing parenthesis"));
        }
        self.at += 1;
        let boost = self.boost()?;
        Ok(match (boost, inner) {
            (Some(b), Node::Term { field, text, kind, .. }) => Node::Term { field, text, kind, boost: Some(b) },
            (_, node) => node,
        })
    }

    fn phrase(&mut self) -> Result<String, SyntaxError> {
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated phrase")),
                Some('"') => {
                    self.at += 1;
                    break;
                }
                Some('\\') => {
                    self.at += 1;
                    if let Some(c) = self.peek() {
                        text.push(c);
                        self.at += 1;
                    }
                }
                Some(c) => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
        if self.peek() == Some('~') {
            self.at += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                self.at += 1;
            }
        }
        Ok(text)
    }

    /// Reads a bare term; returns it unescaped and whether it holds a wildcard.
    fn bare_term(&mut self) -> Result<(String, bool), SyntaxError> {
        let mut text = String::new();
        let mut wildcard = false;
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.at += 1;
                let escaped = self.peek().ok_or_else(|| self.error("a trailing backslash"))?;
                text.push(escaped);
                self.at += 1;
                continue;
            }
            if is_special(c) {
                break;
            }
            if c == '*' || c == '?' {
                wildcard = true;
            }
            text.push(c);
            self.at += 1;
        }
        if text.is_empty() {
            return Err(self.error("a term is missing"));
        }
        if self.peek() == Some('~') {
            self.at += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                self.at += 1;
            }
        }
        Ok((text, wildcard))
    }

    fn boost(&mut self) -> Result<Option<f32>, SyntaxError> {
        if self.peek() != Some('^') {
            return Ok(None);
        }
        self.at += 1;
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
            self.at += 1;
        }
        let digits: String = self.chars.get(start..self.at).unwrap_or_default().iter().collect();
        digits.parse::<f32>().map(Some).map_err(|_| self.error("a boost must be a number"))
    }

    fn range_bound(&mut self) -> Result<String, SyntaxError> {
        self.skip_space();
        if self.peek() == Some('"') {
            return self.phrase();
        }
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == ']' || c == '}' {
                break;
            }
            if c == '\\' {
                self.at += 1;
                if let Some(escaped) = self.peek() {
                    text.push(escaped);
                    self.at += 1;
                }
                continue;
            }
            text.push(c);
            self.at += 1;
        }
        if text.is_empty() {
            return Err(self.error("a range bound is missing"));
        }
        Ok(text)
    }

    fn range(&mut self, field: Option<&str>) -> Result<Node, SyntaxError> {
        let lower_inclusive = self.peek() == Some('[');
        self.at += 1;
        let lower = self.range_bound()?;
        self.skip_space();
        if !self.at_word("TO") {
            return Err(self.error("expected TO in a range"));
        }
        self.at += 2;
        let upper = self.range_bound()?;
        self.skip_space();
        let upper_inclusive = match self.peek() {
            Some(']') => true,
            Some('}') => false,
            _ => return Err(self.error("unterminated range")),
        };
        self.at += 1;
        let open = |bound: String| if bound == "*" { None } else { Some(bound) };
        Ok(Node::Range {
            field: field.map(str::to_string),
            lower: open(lower),
            upper: open(upper),
            lower_inclusive,
            upper_inclusive,
        })
    }
}

/// Lucene's `QueryParserBase.addClause` with the default operator AND.
fn add_clause(clauses: &mut Vec<(Occur, Node)>, conjunction: Conjunction, modifier: Modifier, node: Node) {
    if let Some((occur, _)) = clauses.last_mut()
        && *occur != Occur::MustNot
    {
        match conjunction {
            Conjunction::And => *occur = Occur::Must,
            Conjunction::Or => *occur = Occur::Should,
            Conjunction::None => {}
        }
    }
    let prohibited = modifier == Modifier::Not;
    let required = !prohibited && conjunction != Conjunction::Or;
    let occur = match (required, prohibited) {
        (_, true) => Occur::MustNot,
        (true, false) => Occur::Must,
        (false, false) => Occur::Should,
    };
    clauses.push((occur, node));
}

fn simplify(mut clauses: Vec<(Occur, Node)>) -> Node {
    if clauses.len() == 1
        && clauses.first().is_some_and(|(occur, _)| *occur != Occur::MustNot)
        && let Some((_, node)) = clauses.pop()
    {
        return node;
    }
    Node::Bool(clauses)
}

/// Returns whether the query text names a field (CKAN then uses the Lucene parser, not DisMax).
pub fn is_fielded(q: &str) -> bool {
    q.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(field: &str, text: &str) -> Node {
        Node::Term { field: Some(field.into()), text: text.into(), kind: TermKind::Plain, boost: None }
    }

    #[test]
    fn or_makes_both_neighbours_optional() {
        let parsed = parse("+capacity:public organization:a OR organization:b +state:active").unwrap();
        assert_eq!(
            parsed,
            Node::Bool(vec![
                (Occur::Must, term("capacity", "public")),
                (Occur::Should, term("organization", "a")),
                (Occur::Should, term("organization", "b")),
                (Occur::Must, term("state", "active")),
            ])
        );
    }

    #[test]
    fn fielded_groups_ranges_and_errors() {
        assert_eq!(
            parse("res_format:(CSV OR XLSX)").unwrap(),
            Node::Bool(vec![(Occur::Should, term("res_format", "CSV")), (Occur::Should, term("res_format", "XLSX"))])
        );
        assert_eq!(
            parse("metadata_modified:[2025-07-01T02:00:00.512345Z TO *]").unwrap(),
            Node::Range {
                field: Some("metadata_modified".into()),
                lower: Some("2025-07-01T02:00:00.512345Z".into()),
                upper: None,
                lower_inclusive: true,
                upper_inclusive: true
            }
        );
        assert_eq!(parse("*:*").unwrap(), Node::All);
        assert_eq!(parse("extras_theme:*").unwrap(), Node::Exists("extras_theme".into()));
        assert_eq!(parse("-organization:x").unwrap(), Node::Bool(vec![(Occur::MustNot, term("organization", "x"))]));
        for bad in ["title:(", "metadata_modified:[a TO", "title:", "(a", "{!lucene}x", "a AND"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse(r"name:dan\-so").unwrap(), term("name", "dan-so"));
    }
}
