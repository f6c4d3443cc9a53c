"""Peewee models: data, constraints and small model methods only.

Each area of the tenants issue keeps its tables in a module of its own; the tables a
schema version added are listed in ``ADDED_IN`` (the migration creates them, the
schema tests drop them to make an older database).
"""

from .base import BaseModel, UTCField, database, from_micros, to_micros
from .bookings import (BOOKING_KINDS, BOOKING_STATES, HOLDING_STATES, RESOURCE_KINDS,
                       Booking, BookingSeries, Resource)
from .comms import VISIT_KINDS, Visit
from .lending import PICKUP_STATES, BookingDamage, RecyclingPickup, Umbrella, UmbrellaLoan
from .fitout import FITOUT_STATES, Fitout, FitoutDocument, FitoutInspection
from .passes import PASS_KINDS, VEHICLES, AccessPass, ItemRelease, ParkingPermit, VehicleInsurance
from .comms import MAIL_KINDS, VISIT_KINDS, BagHandout, Letter, Mail, Suggestion, Visit
from .movein import Inspection, KeyRecord, Meter, MeterReading, Move, WelcomeGift
from .records import (
    CORE_MODELS,
    Audit,
    CalendarOverride,
    Meta,
    Service,
    Setting,
    Staff,
    Target,
    Tenant,
    TenantContact,
    TenantSignatory,
    TenantUnit,
    Ticket,
    TicketEvent,
)
from .prices import (FREE_REASONS, PAID_METHODS, PRICE_UNITS, QUANTITY_SCALE,
                     SETTLEMENTS, Charge, PriceEntry, PriceItem, PriceNotice)
from .billing import (ADJUSTMENT_KINDS, ADJUSTMENT_STATES, NOTICE_LINE_KINDS, PAYMENT_METHODS,
                      POSTAL_KINDS, Adjustment, Allocation, MonthClose, Notice, NoticeLine,
                      ParkingHandover, ParkingVisit, Payment, PostalDispatch, PostalItem,
                      Reminder)
from .signage import SIGN_KINDS, SIGN_PURPOSES, SIGN_STATES, SignFinding, SignOrder, SignSupplier

# schema version → the tables it added (in creation order: referenced tables first)
ADDED_IN: dict[int, list] = {
    6: [Visit, Fitout, FitoutDocument, FitoutInspection, AccessPass, VehicleInsurance,
        ParkingPermit, ItemRelease, SignSupplier, SignOrder, SignFinding, Letter, Mail,
        Suggestion, BagHandout, Move, WelcomeGift, KeyRecord, Inspection, Meter,
        MeterReading, Resource, BookingSeries, Booking,
        # prices and the charges ledger (issue 9)
        PriceItem, PriceEntry, PriceNotice, Charge,
        # lending (umbrellas, recycling pickups, damage during a booking)
        Umbrella, UmbrellaLoan, RecyclingPickup, BookingDamage],
    # billing (issue 9): notices, payments, approvals, month-end, parking, postal
    7: [Notice, NoticeLine, Payment, Allocation, Adjustment, Reminder, MonthClose,
        ParkingHandover, ParkingVisit, PostalDispatch, PostalItem],
}
# schema version → (table, column) pairs it added to tables an older version made
ADDED_COLUMNS: dict[int, list[tuple[str, str]]] = {
    7: [("meter_reading", "flag"), ("meter_reading", "note")],
}

ALL_MODELS = CORE_MODELS + [model for version in sorted(ADDED_IN) for model in ADDED_IN[version]]

__all__ = [
    "BOOKING_KINDS", "BOOKING_STATES", "Booking", "BookingSeries", "HOLDING_STATES",
    "RESOURCE_KINDS", "Resource",
    "ADDED_IN", "ALL_MODELS", "Audit", "BagHandout", "Letter", "MAIL_KINDS", "Mail",
    "Suggestion", "BaseModel", "CalendarOverride", "Meta", "Service",
    "ADDED_IN", "ALL_MODELS", "Audit", "Inspection", "KeyRecord", "Meter", "MeterReading",
    "Move", "WelcomeGift", "BaseModel", "CalendarOverride", "Meta", "Service",
    "Setting", "Staff", "Tenant", "TenantContact", "TenantSignatory", "TenantUnit", "Ticket",
    "TicketEvent", "UTCField", "VISIT_KINDS", "Visit", "database",
    "SIGN_KINDS", "SIGN_PURPOSES", "SIGN_STATES", "SignFinding", "SignOrder", "SignSupplier",
    "from_micros", "to_micros",
    # fitout, passes
    "FITOUT_STATES", "Fitout", "FitoutDocument", "FitoutInspection", "PASS_KINDS", "VEHICLES",
    "AccessPass", "ItemRelease", "ParkingPermit", "VehicleInsurance",
    # prices
    "Charge", "FREE_REASONS", "PAID_METHODS", "PRICE_UNITS", "PriceEntry", "PriceItem",
    "PriceNotice", "QUANTITY_SCALE", "SETTLEMENTS",
    # billing
    "ADJUSTMENT_KINDS", "ADJUSTMENT_STATES", "ADDED_COLUMNS", "Adjustment", "Allocation",
    "MonthClose", "NOTICE_LINE_KINDS", "Notice", "NoticeLine", "PAYMENT_METHODS",
    "POSTAL_KINDS", "ParkingHandover", "ParkingVisit", "Payment", "PostalDispatch",
    "PostalItem", "Reminder",
    # lending
    "PICKUP_STATES", "BookingDamage", "RecyclingPickup", "Umbrella", "UmbrellaLoan",
]
