//! The status pipeline: which moves are legal, and who may make them.
//!
//! SAVED → APPLIED → SCREENING → INTERVIEWING → OFFERED → ACCEPTED, moving
//! forward only (stages may be skipped); REJECTED and WITHDRAWN from every
//! open state. ACCEPTED, REJECTED and WITHDRAWN are final.

use async_graphql::Enum;

/// Every application status as stored, in pipeline order.
pub const STATUSES: [&str; 8] =
    ["SAVED", "APPLIED", "SCREENING", "INTERVIEWING", "OFFERED", "ACCEPTED", "REJECTED", "WITHDRAWN"];

/// The statuses a recruiter sees (a saved application is the candidate's own).
pub const SENT_STATUSES: [&str; 7] =
    ["APPLIED", "SCREENING", "INTERVIEWING", "OFFERED", "ACCEPTED", "REJECTED", "WITHDRAWN"];

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ApplicationStatus {
    /// Saved for later; not sent.
    Saved,
    /// Sent to the employer.
    Applied,
    /// Being screened.
    Screening,
    /// In interviews.
    Interviewing,
    /// An offer was made.
    Offered,
    /// The offer was accepted (final).
    Accepted,
    /// The employer declined (final).
    Rejected,
    /// The candidate withdrew (final).
    Withdrawn,
}

impl ApplicationStatus {
    /// The forward pipeline, in order.
    const PIPELINE: [Self; 6] =
        [Self::Saved, Self::Applied, Self::Screening, Self::Interviewing, Self::Offered, Self::Accepted];

    fn stage(self) -> Option<usize> {
        Self::PIPELINE.iter().position(|status| *status == self)
    }

    /// Whether the application can still move.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Accepted | Self::Rejected | Self::Withdrawn)
    }

    /// Whether moving from `self` to `to` is legal, whoever asks.
    pub fn can_move_to(self, to: Self) -> bool {
        if !self.is_open() || self == to {
            return false;
        }
        match to {
            Self::Rejected | Self::Withdrawn => true,
            _ => matches!((self.stage(), to.stage()), (Some(from), Some(next)) if next > from),
        }
    }
}

/// Who is acting on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The candidate whose application it is.
    Applicant,
    /// The recruiter who posted the job (careergraph jobs only).
    Poster,
    /// An admin.
    Admin,
}

impl Actor {
    /// Whether this actor may set `to`. On a job posted in careergraph the
    /// recruiter moves the pipeline and the candidate sends, withdraws or
    /// accepts; on an imported job the candidate tracks everything.
    pub fn may_set(self, to: ApplicationStatus, native_job: bool) -> bool {
        use ApplicationStatus::*;
        match self {
            Self::Admin => true,
            Self::Applicant if !native_job => true,
            Self::Applicant => matches!(to, Applied | Withdrawn | Accepted),
            Self::Poster => matches!(to, Screening | Interviewing | Offered | Accepted | Rejected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ApplicationStatus::*;
    use super::*;

    #[test]
    fn forward_moves_rejection_and_withdrawal_are_legal_nothing_else() {
        assert!(Saved.can_move_to(Applied));
        assert!(Applied.can_move_to(Interviewing), "stages may be skipped");
        assert!(Offered.can_move_to(Accepted));
        assert!(Saved.can_move_to(Withdrawn) && Interviewing.can_move_to(Rejected));
        assert!(!Interviewing.can_move_to(Applied), "never backwards");
        assert!(!Applied.can_move_to(Saved));
        assert!(!Rejected.can_move_to(Applied) && !Accepted.can_move_to(Withdrawn), "final states stay");
        assert!(!Applied.can_move_to(Applied));
    }

    #[test]
    fn recruiters_move_the_pipeline_and_candidates_withdraw() {
        assert!(Actor::Poster.may_set(Screening, true));
        assert!(!Actor::Poster.may_set(Withdrawn, true));
        assert!(Actor::Applicant.may_set(Withdrawn, true));
        assert!(!Actor::Applicant.may_set(Offered, true));
        assert!(Actor::Applicant.may_set(Offered, false), "imported jobs are tracked by the candidate");
    }
}
