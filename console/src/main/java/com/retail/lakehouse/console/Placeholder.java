package com.retail.lakehouse.console;

final class Placeholder {}
