"""Money as people read it: £66,500, £1,250.50, €2,000."""

from decimal import Decimal

from django.utils.formats import number_format

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "UAH": "₴"}


def format_money(amount: Decimal, currency: str) -> str:
    """Whole amounts without pence; otherwise two decimal places. Unknown currencies by code."""
    places = 0 if amount == amount.to_integral_value() else 2
    number = number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"
