-- Stockouts on the newest day of the stock mart, by store: SKUs whose closing stock is at or below zero.
SELECT stock_date, store_id, COUNT(*) AS skus_out_of_stock, SUM(closing_units) AS closing_units
FROM marts.daily_inventory
WHERE stock_date = (SELECT MAX(stock_date) FROM marts.daily_inventory) AND stockout
GROUP BY stock_date, store_id
ORDER BY skus_out_of_stock DESC, store_id;
