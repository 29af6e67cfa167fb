"""The relationship stages a person passes through, and the firm's marketing actions.

Follows docs/crm-theory-reference.md §2 (relationship lifecycle, after Dwyer, Schurr & Oh 1987): a person is a
prospect until acquired, then passes identification (识别期) -> development (发展期) -> stable (稳定期) in
order, none skipped; decline (退化期) can start from any of those stages; a customer whose share of wallet
has gone is lost, and a lost customer can be won back into identification.

Both enums are ``IntEnum`` so a whole population's stages fit in one small integer numpy array.
"""

from enum import IntEnum


class Stage(IntEnum):
    PROSPECT = 0
    IDENTIFICATION = 1
    DEVELOPMENT = 2
    STABLE = 3
    DECLINE = 4
    LOST = 5

    @property
    def label(self) -> str:
        """Lower-case name used in every table and file (``"identification"``)."""
        return self.name.lower()


STAGE_LABELS = tuple(stage.label for stage in Stage)


class Action(IntEnum):
    """What the firm can do to one person in one week (at most one action per person per week)."""

    NONE = 0
    ACQUISITION_OFFER = 1  # to a prospect: an introductory offer
    SERVICE = 2  # service / relationship investment: better service this week, social and structural bonds
    GENERIC_OFFER = 3  # the same offer for everyone (mass marketing)
    SEGMENT_OFFER = 4  # an offer designed for the customer's needs segment
    PERSONAL_OFFER = 5  # an offer customised from what the firm has learned about this customer
    LOYALTY_PROGRAMME = 6  # enrol in the loyalty programme: raises switching cost
    CROSS_SELL = 7  # offer another product category
    WIN_BACK = 8  # to a lapsed customer: a win-back offer

    @property
    def label(self) -> str:
        return self.name.lower()
