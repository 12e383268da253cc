"""Ukrainian formats: Django's, with the day written without a leading zero and no "р."
after the year, so a date can end a sentence ("6 грудня 2023").

Month-and-year dates use Django's YEAR_MONTH_FORMAT ("F Y"); partnerships.dates writes the
month name in lower case, as Ukrainian does ("липень 2022").
"""

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
