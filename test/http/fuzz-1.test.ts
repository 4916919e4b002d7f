import { fuzzRoutes } from "./fuzz";

fuzzRoutes(0, 2);
