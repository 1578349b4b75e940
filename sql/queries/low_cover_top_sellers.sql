-- The 20 best-selling SKUs of the last 7 days (net of returns, all stores) where a store holds
-- less than 3 days of cover on the newest day of the stock mart.
WITH newest AS (
  SELECT MAX(stock_date) AS stock_date FROM marts.daily_inventory
),
top_sellers AS (
  SELECT i.sku, SUM(i.sold_units - i.returned_units) AS net_units
  FROM marts.daily_inventory i JOIN newest n ON i.stock_date > n.stock_date - INTERVAL '7' DAY
  GROUP BY i.sku
  ORDER BY net_units DESC, i.sku
  LIMIT 20
)
SELECT i.store_id, i.sku, t.net_units AS net_units_7_days, i.closing_units, i.days_of_cover
FROM marts.daily_inventory i
JOIN newest n ON i.stock_date = n.stock_date
JOIN top_sellers t ON i.sku = t.sku
WHERE i.days_of_cover < 3
ORDER BY i.days_of_cover, i.store_id, i.sku;
