-- vulnshare 0030: monthly and annual reports (月报 / 年报), the weekly bulletin's machinery over a longer period.
-- One row per period: "2023-12" (month) or "2023" (year). A period not yet published is a draft computed live;
-- publishing freezes its figures in `data` (the PeriodicData of src/reports/periodic.ts) for ever.
CREATE TABLE periodic_reports (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('month', 'year')),
  start_date date NOT NULL,
  end_date date NOT NULL,
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),
  data jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  CHECK (start_date <= end_date),
  CHECK ((kind = 'month') = (id ~ '^\d{4}-\d{2}$')),
  CHECK ((kind = 'year') = (id ~ '^\d{4}$')),
  CHECK ((state = 'published') = (data IS NOT NULL AND published_at IS NOT NULL))
);
CREATE INDEX periodic_reports_published_idx ON periodic_reports (state, kind, start_date DESC);
