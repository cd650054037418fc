"""Fixtures of the case tests. They are defined beside their helpers in the support modules; listing them
here makes pytest offer them to every test module of the folder without each importing them."""
from tests.cases.ccs_support import ccs_notice_templates, child_x, consultant_a, pcp, pulmonologist  # noqa: F401
from tests.cases.ecm_support import ecm_world  # noqa: F401
