//! SQL written by hand whose text is fixed when Folio is built, with bound values.
//!
//! Diesel never keeps a prepared statement made with `sql` or `sql_query`: their
//! text could be built from anything, values included. A `StaticSql` is made of
//! `&'static str` pieces and binds only, so its text is one of a few known ones and
//! each connection prepares it once and reuses it, as it does for the query
//! builder's statements. On SQLite, preparing costs more than running a point read.

use std::marker::PhantomData;

use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression};
use diesel::expression::{TypedExpressionType, ValidGrouping};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::{QueryResult, RunQueryDsl};

use super::Db;

#[derive(Debug, Clone)]
enum Piece {
    Sql(&'static str),
    Text(String),
    BigInt(i64),
    Timestamp(chrono::NaiveDateTime),
}

/// SQL of SQL type `ST`, as an expression (a condition, a column) or a whole query.
#[derive(Debug, Clone)]
pub struct StaticSql<ST> {
    pieces: Vec<Piece>,
    sql_type: PhantomData<ST>,
}

impl<ST> StaticSql<ST> {
    pub fn new(sql: &'static str) -> Self {
        Self {
            pieces: vec![Piece::Sql(sql)],
            sql_type: PhantomData,
        }
    }

    pub fn sql(mut self, sql: &'static str) -> Self {
        self.pieces.push(Piece::Sql(sql));
        self
    }

    pub fn bind_text(mut self, value: impl Into<String>) -> Self {
        self.pieces.push(Piece::Text(value.into()));
        self
    }

    pub fn bind_big_int(mut self, value: i64) -> Self {
        self.pieces.push(Piece::BigInt(value));
        self
    }

    pub fn bind_timestamp(mut self, value: chrono::NaiveDateTime) -> Self {
        self.pieces.push(Piece::Timestamp(value));
        self
    }
}

impl<ST: TypedExpressionType> Expression for StaticSql<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Db> for StaticSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Sql(sql) => out.push_sql(sql),
                Piece::Text(value) => out.push_bind_param::<Text, String>(value)?,
                Piece::BigInt(value) => out.push_bind_param::<BigInt, i64>(value)?,
                Piece::Timestamp(value) => {
                    out.push_bind_param::<Timestamp, chrono::NaiveDateTime>(value)?
                }
            }
        }
        Ok(())
    }
}

// No type-level id: the statement cache keys it by its text, which is safe because
// the text never holds a value.
impl<ST> QueryId for StaticSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> AppearsOnTable<QS> for StaticSql<ST> where Self: Expression {}

impl<ST, QS> SelectableExpression<QS> for StaticSql<ST> where Self: Expression {}

impl<ST, GB> ValidGrouping<GB> for StaticSql<ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<ST: diesel::sql_types::SqlType> Query for StaticSql<ST> {
    type SqlType = ST;
}

impl<ST, Conn> RunQueryDsl<Conn> for StaticSql<ST> {}
