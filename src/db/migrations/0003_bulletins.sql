-- Weekly bulletins (信息安全漏洞周报). A week's bulletin is computed live from the store while it is a draft;
-- publishing freezes its figures in `data`, so later imports never change a published bulletin.
CREATE TABLE bulletins (
  id           text        PRIMARY KEY,                 -- ISO week, e.g. 2024-W04
  year         integer     NOT NULL,
  week         integer     NOT NULL,
  start_date   date        NOT NULL,                    -- Monday
  end_date     date        NOT NULL,                    -- Sunday
  state        text        NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),
  editorial    jsonb       NOT NULL DEFAULT '{}',       -- what an analyst entered: news, verifications, pinned / dropped alerts
  data         jsonb,                                   -- the frozen figures (BulletinData) once published
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  CHECK ((state = 'published') = (data IS NOT NULL AND published_at IS NOT NULL))
);
CREATE INDEX bulletins_published_idx ON bulletins (published_at DESC) WHERE state = 'published';

-- the week a record falls in, by each date a bulletin may count by
CREATE INDEX vulnerabilities_published_at_idx ON vulnerabilities (published_at);
CREATE INDEX vulnerabilities_submitted_at_idx ON vulnerabilities (submitted_at);
