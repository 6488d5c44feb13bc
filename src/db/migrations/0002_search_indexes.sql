-- vulnshare 0002: rare flags get partial indexes so "exploited" / "zero-day" lists do not walk every row.
CREATE INDEX vulnerabilities_exploited_idx ON vulnerabilities (sort_date DESC, id DESC) WHERE exploited;
CREATE INDEX vulnerabilities_zero_day_idx ON vulnerabilities (sort_date DESC, id DESC) WHERE zero_day;
