SELECT sale_date, store_id, SUM(total_sales) AS revenue
FROM marts.daily_sales_summary
GROUP BY sale_date, store_id
ORDER BY sale_date, store_id;
