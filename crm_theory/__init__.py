"""CRM analytics for the course: RFM, customer value, purchase models, loyalty and one-to-one analytics.

Every function takes a transaction log in the simulation's schema: ``customer_id``, a time column
(``week`` or ``date``) and ``amount``.
"""
