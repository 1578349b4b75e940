package com.retail.lakehouse.generator;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The stores and products of the simulated retail chain, derived only from the seed so that every
 * run with the same seed sells the same goods at the same prices in the same stores.
 */
public final class Catalogue {

  /** A product category with its typical items, sizes, price range and share of sales. */
  private record Category(
      String name,
      int minCents,
      int maxCents,
      double skuShare,
      double popularity,
      String itemsAndSizes) {

    /** The items as {name, size, size...}, from {@code name@size,size|name@size}. */
    List<String[]> items() {
      List<String[]> items = new ArrayList<>();
      for (String entry : itemsAndSizes.split("\\|")) {
        items.add(entry.replace('@', ',').split(","));
      }
      return items;
    }
  }

  private static final List<Category> CATEGORIES =
      List.of(
          new Category(
              "Dairy",
              99,
              899,
              1.0,
              1.4,
              "Whole Milk@1 L,2 L,1 gal|Skim Milk@1 L,2 L"
                  + "|Greek Yogurt@150 g,500 g,1 kg|Cheddar Cheese@200 g,400 g"
                  + "|Butter@250 g,500 g|Cream Cheese@8 oz|Mozzarella@8 oz,16 oz"
                  + "|Sour Cream@8 oz,16 oz|Oat Milk@1 L|Cottage Cheese@16 oz"),
          new Category(
              "Bakery",
              149,
              799,
              0.8,
              1.2,
              "Sourdough Loaf@500 g,800 g|Bagels@4 pack,6 pack"
                  + "|Croissants@4 pack,6 pack|Whole Wheat Bread@400 g,800 g"
                  + "|Muffins@4 pack,6 pack|Baguette@each|Cinnamon Rolls@6 pack"
                  + "|Tortillas@10 pack,20 pack|Pita Bread@6 pack"),
          new Category(
              "Produce",
              39,
              699,
              1.2,
              1.6,
              "Bananas@1 lb,2 lb|Gala Apples@2 lb,3 lb bag|Avocados@each,4 pack"
                  + "|Baby Spinach@5 oz,10 oz|Carrots@1 lb,2 lb|Tomatoes@1 lb,pint"
                  + "|Blueberries@pint,6 oz|Strawberries@1 lb,2 lb|Red Onions@each,3 lb bag"
                  + "|Lemons@each,2 lb bag|Broccoli@bunch,12 oz"),
          new Category(
              "Beverages",
              99,
              1299,
              1.1,
              1.3,
              "Orange Juice@1 L,52 oz|Sparkling Water@1 L,12 pack|Cola@2 L,12 pack"
                  + "|Ground Coffee@340 g,1 kg|Green Tea@20 bags,40 bags|Lemonade@1.5 L"
                  + "|Energy Drink@250 ml,4 pack|Iced Tea@500 ml,6 pack"
                  + "|Apple Juice@1 L,64 oz"),
          new Category(
              "Snacks",
              99,
              649,
              1.0,
              1.1,
              "Potato Chips@150 g,family size|Tortilla Chips@300 g|Pretzels@250 g"
                  + "|Trail Mix@400 g|Granola Bars@6 pack,12 pack|Popcorn@3 pack,6 pack"
                  + "|Salted Peanuts@200 g,500 g|Chocolate Bar@100 g,4 pack|Crackers@200 g"),
          new Category(
              "Frozen",
              249,
              1299,
              0.8,
              0.8,
              "Pepperoni Pizza@each,2 pack|Ice Cream@pint,1.5 qt"
                  + "|Frozen Peas@500 g,1 kg|Fish Sticks@24 count|Waffles@10 count"
                  + "|Chicken Nuggets@1 kg,2 lb|Veggie Burgers@4 pack|Berry Mix@500 g,1 kg"),
          new Category(
              "Household",
              199,
              2499,
              0.9,
              0.6,
              "Paper Towels@2 rolls,6 rolls|Dish Soap@500 ml,1 L"
                  + "|Laundry Detergent@1.5 L,3 L|Trash Bags@30 count,50 count"
                  + "|All-Purpose Cleaner@750 ml|Toilet Paper@6 rolls,12 rolls"
                  + "|Sponges@3 pack,6 pack|Aluminum Foil@25 ft,75 ft"),
          new Category(
              "Personal Care",
              199,
              1999,
              0.9,
              0.6,
              "Shampoo@250 ml,500 ml|Toothpaste@75 ml,2 pack|Body Wash@500 ml"
                  + "|Deodorant@50 ml|Hand Soap@250 ml,2 pack|Conditioner@250 ml,500 ml"
                  + "|Razors@4 pack,8 pack|Sunscreen@100 ml,200 ml"),
          new Category(
              "Meat",
              399,
              2999,
              0.7,
              0.9,
              "Chicken Breast@1 lb,2 lb|Ground Beef@1 lb,2 lb"
                  + "|Pork Chops@1 lb,family pack|Bacon@12 oz,16 oz"
                  + "|Sirloin Steak@8 oz,16 oz|Turkey Slices@8 oz|Italian Sausage@1 lb"
                  + "|Lamb Chops@1 lb"),
          new Category(
              "Seafood",
              499,
              3499,
              0.5,
              0.5,
              "Atlantic Salmon@8 oz,1 lb|Shrimp@1 lb,2 lb|Cod Fillets@1 lb"
                  + "|Tuna Steaks@8 oz|Crab Meat@8 oz|Tilapia@1 lb|Scallops@8 oz,1 lb"),
          new Category(
              "Pantry",
              79,
              999,
              1.1,
              1.0,
              "Spaghetti@500 g,1 kg|Basmati Rice@1 kg,2 kg"
                  + "|Canned Tomatoes@400 g,4 pack|Olive Oil@500 ml,1 L"
                  + "|Peanut Butter@340 g,1 kg|Black Beans@400 g|Chicken Broth@1 L"
                  + "|Rolled Oats@500 g,1 kg|Honey@250 g,500 g|Flour@1 kg,2 kg"),
          new Category(
              "Electronics",
              999,
              19999,
              0.4,
              0.1,
              "USB-C Cable@1 m,2 m|AA Batteries@4 pack,8 pack|Earbuds@wired,wireless"
                  + "|Phone Charger@20 W,30 W|LED Bulb@2 pack,4 pack"
                  + "|Bluetooth Speaker@mini,standard|Power Bank@10000 mAh,20000 mAh"
                  + "|HDMI Cable@2 m"));

  private static final List<String> BRANDS =
      List.of(
          "Sunrise",
          "Valley Farms",
          "Green Acre",
          "Blue Harbor",
          "Golden Field",
          "Maple Ridge",
          "Northwind",
          "Harvest Moon",
          "Silver Creek",
          "Prairie",
          "Coastline",
          "Everyday");

  private final List<Store> stores;
  private final List<Product> products;
  private final double[] cumulativePopularity;

  private Catalogue(List<Store> stores, List<Product> products) {
    this.stores = List.copyOf(stores);
    this.products = List.copyOf(products);
    this.cumulativePopularity = new double[products.size()];
    double sum = 0;
    for (int i = 0; i < products.size(); i++) {
      sum += products.get(i).popularity();
      cumulativePopularity[i] = sum;
    }
  }

  /** Builds the chain's {@code storeCount} stores and {@code skuCount} products from the seed. */
  public static Catalogue generate(long seed, int storeCount, int skuCount) {
    if (storeCount < 1 || storeCount > 999) {
      throw new IllegalArgumentException("stores must be between 1 and 999, got " + storeCount);
    }
    if (skuCount < 1 || skuCount > 99_999) {
      throw new IllegalArgumentException("skus must be between 1 and 99999, got " + skuCount);
    }
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5EED_CA7A_1061_0E5L);
    return new Catalogue(stores(rng.split(), storeCount), products(rng.split(), skuCount));
  }

  private static List<Store> stores(SplittableRandom rng, int count) {
    List<Store> stores = new ArrayList<>(count);
    for (int s = 1; s <= count; s++) {
      String storeId = String.format(Locale.ROOT, "S%03d", s);
      // Log-normal traffic: a few flagship stores, many neighbourhood ones.
      double weight = Math.exp(gaussian(rng) * 0.5 - 0.125);
      weight = Math.max(0.3, Math.min(3.0, weight));
      int registers =
          (int) Math.max(2, Math.min(6, Math.round(1 + 1.6 * weight + rng.nextDouble())));
      List<String> registerIds = new ArrayList<>();
      for (int r = 1; r <= registers; r++) {
        registerIds.add(storeId + "-R" + r);
      }
      int cashiers = registers * 2 + rng.nextInt(3);
      List<String> cashierIds = new ArrayList<>();
      for (int c = 1; c <= cashiers; c++) {
        cashierIds.add(String.format(Locale.ROOT, "%s-C%02d", storeId, c));
      }
      stores.add(new Store(storeId, registerIds, cashierIds, weight));
    }
    return stores;
  }

  private static List<Product> products(SplittableRandom rng, int count) {
    double shareSum = CATEGORIES.stream().mapToDouble(Category::skuShare).sum();
    List<Product> products = new ArrayList<>(count);
    Set<String> names = new HashSet<>();
    for (int i = 1; i <= count; i++) {
      Category category = pickCategory(rng, shareSum);
      // items()[i] = {name, size, size...}
      String[] item = category.items().get(rng.nextInt(category.items().size()));
      String base =
          BRANDS.get(rng.nextInt(BRANDS.size()))
              + " "
              + item[0]
              + " "
              + item[1 + rng.nextInt(item.length - 1)];
      String name = base;
      for (int variant = 2; !names.add(name); variant++) {
        name = base + " #" + variant;
      }
      // Shelf prices end in 9: 2.49, 12.99...
      int cents = category.minCents() + rng.nextInt(category.maxCents() - category.minCents() + 1);
      cents = Math.max(category.minCents(), cents / 10 * 10 + 9);
      // A long tail: a few best sellers, many slow movers.
      double popularity = category.popularity() / Math.pow(1 + rng.nextInt(count), 0.6);
      products.add(
          new Product(
              String.format(Locale.ROOT, "SKU-%05d", i),
              name,
              category.name(),
              BigDecimal.valueOf(cents, 2),
              popularity));
    }
    return products;
  }

  private static Category pickCategory(SplittableRandom rng, double shareSum) {
    double u = rng.nextDouble() * shareSum;
    for (Category category : CATEGORIES) {
      u -= category.skuShare();
      if (u < 0) {
        return category;
      }
    }
    return CATEGORIES.get(CATEGORIES.size() - 1);
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** The chain's stores, {@code S001} first. */
  public List<Store> stores() {
    return stores;
  }

  /** The products, {@code SKU-00001} first. */
  public List<Product> products() {
    return products;
  }

  /** Picks a product with probability proportional to its popularity. */
  public Product pickProduct(SplittableRandom rng) {
    double u = rng.nextDouble() * cumulativePopularity[cumulativePopularity.length - 1];
    int i = java.util.Arrays.binarySearch(cumulativePopularity, u);
    int index = i >= 0 ? i : -i - 1;
    return products.get(Math.min(index, products.size() - 1));
  }

  /** The sum of the stores' traffic weights, which scales the chain's daily volume. */
  public double totalTrafficWeight() {
    return stores.stream().mapToDouble(Store::trafficWeight).sum();
  }
}
