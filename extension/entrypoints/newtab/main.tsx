import { mountPage } from "@/lib/page";
import { App } from "./App";
import "@/components/base.css";
import "./style.css";

void mountPage(App);
