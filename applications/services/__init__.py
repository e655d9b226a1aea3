"""State changes of the applications app, one module per sub-domain. Import from here:
`from applications import services; services.submit_application(...)`."""

from .agencies import (
    DuplicateAgency,
    MembershipError,
    approve_membership,
    can_edit_agency,
    can_manage_members,
    change_member_roles,
    decline_membership,
    register_agency,
    remove_member,
    request_membership,
    update_agency,
)
from .applications import (
    ApplicationError,
    StaleSection,
    can_edit_application,
    can_submit_application,
    can_withdraw_application,
    return_application,
    save_section,
    start_application,
    submit_application,
    withdraw_application,
)
from .solicitations import add_scoring_rules, put_scoring_rules_in_force

__all__ = [
    "ApplicationError",
    "DuplicateAgency",
    "MembershipError",
    "StaleSection",
    "add_scoring_rules",
    "approve_membership",
    "can_edit_agency",
    "can_edit_application",
    "can_manage_members",
    "can_submit_application",
    "can_withdraw_application",
    "change_member_roles",
    "decline_membership",
    "put_scoring_rules_in_force",
    "register_agency",
    "remove_member",
    "request_membership",
    "return_application",
    "save_section",
    "start_application",
    "submit_application",
    "update_agency",
    "withdraw_application",
]
