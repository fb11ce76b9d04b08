use async_graphql::{Enum, ID, Object};

use super::CompanyRow;
use crate::graphql::scalars::DateTime;
use crate::graphql::{db_enum, ids};

/// A row of `companies` as the API shows it.
pub struct Company(pub CompanyRow);

impl Company {
    pub const TYPE_NAME: &'static str = "Company";
}

/// An employer that posts jobs. Companies are shared: every job at the same
/// company name points at the same `Company`.
#[Object]
impl Company {
    /// Globally unique, opaque identifier; `node(id:)` fetches the company again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The company's name, unique case-insensitively.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The company's website, if known.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// The industry it works in, e.g. "Fintech".
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }

    /// How many people it employs, as a band.
    async fn size(&self) -> Option<CompanySize> {
        self.0.size.as_deref().and_then(db_enum::from_db)
    }

    /// Where it is headquartered.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// When the company was first recorded.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the company's details last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// Headcount bands for a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum CompanySize {
    /// 1 to 10 people.
    #[graphql(name = "SIZE_1_10")]
    Size1To10,
    /// 11 to 50 people.
    #[graphql(name = "SIZE_11_50")]
    Size11To50,
    /// 51 to 200 people.
    #[graphql(name = "SIZE_51_200")]
    Size51To200,
    /// 201 to 1,000 people.
    #[graphql(name = "SIZE_201_1000")]
    Size201To1000,
    /// 1,001 to 5,000 people.
    #[graphql(name = "SIZE_1001_5000")]
    Size1001To5000,
    /// More than 5,000 people.
    #[graphql(name = "SIZE_5001_PLUS")]
    Size5001Plus,
}
