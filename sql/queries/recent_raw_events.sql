SELECT store_id, product, quantity, total_amount, event_time
FROM raw.pos_transactions
WHERE event_time > current_date - interval '1' day
ORDER BY event_time DESC
LIMIT 20;
