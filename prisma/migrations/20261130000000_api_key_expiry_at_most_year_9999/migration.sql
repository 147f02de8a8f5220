-- POST /v1/keys once accepted an expiry after the year 9999 in UTC (year 9999 written in a zone west of UTC). Such a
-- timestamp is stored, but reads back as no date at all, so every answer that showed the key failed (the key list of
-- its whole workspace among them). The API now refuses it; a key stored with one keeps what it meant, an expiry that
-- never comes, as the latest expiry the API accepts.
UPDATE "ApiKey" SET "expiresAt" = '9999-12-31 23:59:59.999' WHERE "expiresAt" > '9999-12-31 23:59:59.999';
