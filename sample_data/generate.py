"""Deterministic generator for RiskRadar's synthetic sample corpus (RSS 2.0 / Atom 1.0 snapshots).

Everything here is fictional: the platforms (AdNova, Streamly, Chirp, ShopSphere, Pixelgram),
advertisers, people, products and sources are invented. The corpus exists so the pipeline has
realistic, reproducible input with a known ground truth (topics, polarity, injected incidents).

Output (see sample_data/README.md):
    <out>/<source_id>/<YYYY-MM-DD>.xml   one feed snapshot per source and day
    <out>/ground_truth.json              incidents, daily topic counts, period, seed
    <out>/items_truth.jsonl              one line per generated item (not per repeat)

Same arguments -> byte-identical files: one `random.Random(seed)`, no wall clock, no hash(),
no set iteration order.

    python sample_data/generate.py --out data/sample_feeds --start 2026-08-01 --days 90
"""

from __future__ import annotations

import argparse
import html
import json
import math
import random
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import yaml

GENERATOR = "riskradar-sample-generator/1"
REPO = Path(__file__).resolve().parents[1]
SOURCES_YML = REPO / "config" / "sources.yml"

TOPICS: tuple[str, ...] = (
    "scam_ads", "misleading_claims", "counterfeit_goods", "prohibited_products", "adult_content_ads",
    "political_ads", "ad_fraud", "advertiser_accounts", "creator_payouts", "privacy_targeting",
    "policy_enforcement", "brand_safety", "ad_experience",
)
BASELINE_DAYS = 14  # incidents start after this many quiet days, so every topic has a baseline
DEFAULT_ITEMS_PER_DAY = 200

# ----------------------------------------------------------------------------------------------
# Slot values (all fictional)
# ----------------------------------------------------------------------------------------------
PLATFORMS = (("AdNova", 55), ("Streamly", 15), ("Chirp", 12), ("ShopSphere", 10), ("Pixelgram", 8))
SLOTS: dict[str, Sequence[str]] = {
    "advertiser": ("Brightwell Home", "Kestrel Outdoor", "Lumora Skincare", "Nordvik Audio", "Peak & Pine Coffee",
                   "Harbor Lane Apparel", "Zentro Fitness", "Calder & Finch", "Orchid Bay Travel", "Vantix Games",
                   "BluePeak Insurance", "Marlowe Pet Supply", "Solstice Solar", "Tandem Bikes Co.", "Quillon Books",
                   "Fernhill Foods", "Aldgate Motors", "Novella Beauty", "Ridgeway Telecom", "Saffron Street Eats"),
    "agency": ("Parallax Media", "Northstar Agency", "Bluefin Partners", "Mosaic Group", "Tidewater Digital"),
    "celebrity": ("TV presenter Dana Whitfield", "chef Marco Bellandi", "investor Victor Hale", "singer Aria Monroe",
                  "football pundit Gary Lomax", "actress Celia Fontaine", "tech founder Ravi Desai",
                  "news anchor Helen Marsh", "tennis star Lena Kovac", "comedian Tom Ashby"),
    "celeb_name": ("Dana Whitfield", "Marco Bellandi", "Victor Hale", "Aria Monroe", "Gary Lomax", "Celia Fontaine",
                   "Ravi Desai", "Helen Marsh", "Lena Kovac", "Tom Ashby"),
    "coin": ("QuantumYield", "BitHarbor Pro", "Immediate Vortex", "CoinCrest AI", "Nexa Trade 360", "Aurum Edge"),
    "diet": ("KetoBurn Ultra", "SlimPatch", "GlucoFix drops", "ThermaLean gummies", "MetaboSlim tea", "LeanGenix"),
    "cure": ("a joint-pain cream", "an anti-ageing serum", "a hearing-loss supplement", "a blood-sugar tonic",
             "a hair-regrowth oil", "a memory booster"),
    "luxury": ("Maison Verrault", "Ardenne", "Castellane", "Valmora", "Okuda", "Bellamy & Rowe"),
    "fake_item": ("handbags", "sneakers", "watches", "sunglasses", "perfume", "football shirts", "headphones"),
    "banned_item": ("unlicensed weight-loss injections", "prescription painkillers", "disposable vapes",
                    "3D-printed gun parts", "anabolic steroids", "unlicensed casino apps", "knuckle dusters",
                    "unlicensed diet pills"),
    "country": ("Germany", "the UK", "Brazil", "India", "Australia", "Canada", "Spain", "Nigeria", "the Philippines",
                "Mexico", "France", "Italy", "Poland", "Kenya", "Ireland", "Japan"),
    "election": ("the regional elections", "the October general election", "the mayoral race", "the referendum",
                 "the state primaries", "the European elections"),
    "party": ("the Civic Renewal Party", "the Unity Alliance", "the Progress Bloc", "the Green Horizon Party",
              "the National Future Movement"),
    "ad_format": ("video ads", "banner ads", "interstitials", "pre-roll ads", "pop-up ads", "sponsored posts"),
    "app": ("Streamly", "Pixelgram", "Chirp", "ShopSphere", "AdNova Publisher"),
    "regulator": ("a European data protection authority", "the national consumer protection agency",
                  "state attorneys general", "the advertising standards authority", "the competition regulator"),
    "team": ("Riverside FC", "the Harbor City Hawks", "Northgate United", "the Bay Comets", "Eastfield Rovers"),
    "company": ("Orbital Freight", "Pinecrest Bank", "Vela Robotics", "Sundial Energy", "Greystone Retail",
                "Halcyon Pharma", "Meridian Air", "Corvid Semiconductors"),
    "city": ("Lisbon", "Toronto", "Austin", "Manchester", "Lyon", "Melbourne", "Osaka", "Cape Town", "Denver"),
    "reporter": ("Priya Nair", "Tom Keller", "Sofia Brandt", "James Okafor", "Maria Lind", "Daniel Reyes",
                 "Hannah Cole", "Luca Ferri"),
    "user": ("shopkeeper_jo", "etsyish_ann", "DropshipDan", "mia.makes", "thriftking88", "GreenLeafCandles",
             "vlogwithsam", "retro_gamer_kai", "bakewithbea", "techtalk_raj", "lena.draws", "fitwithmarco",
             "smallbiz_ellie", "vintage_vic", "CraftyCarla", "podcast_pete"),
    "handle": ("@adwatcher", "@mkt_nerd", "@sellerlife", "@creatorcoach", "@privacyfirst", "@techdad42", "@nina_codes",
               "@growthgal", "@brandsafe", "@consumer_ally", "@streamfan99", "@dealhunter"),
}
HASHTAGS: dict[str, tuple[str, ...]] = {
    "scam_ads": ("#scam", "#scamalert", "#cryptoscam", "#fakeads"), "misleading_claims": ("#falseadvertising", "#misleading"),
    "counterfeit_goods": ("#counterfeit", "#fakes", "#knockoff"), "prohibited_products": ("#unsafe", "#banned"),
    "adult_content_ads": ("#inappropriate", "#parenting"), "political_ads": ("#elections", "#disinformation", "#adlibrary"),
    "ad_fraud": ("#adfraud", "#bots", "#IVT"), "advertiser_accounts": ("#adaccount", "#smallbusiness", "#suspended"),
    "creator_payouts": ("#creators", "#demonetized", "#payday"), "privacy_targeting": ("#privacy", "#GDPR", "#tracking"),
    "policy_enforcement": ("#adpolicy", "#appeal"), "brand_safety": ("#brandsafety", "#boycott"),
    "ad_experience": ("#toomanyads", "#annoying", "#ads"),
}

# ----------------------------------------------------------------------------------------------
# English content bank, per topic. Keys: neg/pos/neu = news style (title, summary), trade =
# trade-press style, voice = first-person forum posts, review = app-store/complaint reviews,
# social = short posts, pos_voice = happy first-person lines.
# ----------------------------------------------------------------------------------------------
BANK: dict[str, dict[str, Any]] = {
    "scam_ads": {
        "neg": {
            "title": ["Fake {celebrity} endorsement ads lure {platform} users into crypto scam",
                      "Scam ads promising {coin} returns keep slipping through {platform}'s review",
                      "Victims lost {amount} to investment scam ads on {platform}, police say",
                      "Deepfake ads featuring {celebrity} push bogus trading app '{coin}'",
                      "Phishing ads impersonating {advertiser} spread on {platform}",
                      "Consumers in {country} warned over fraudulent crypto ads on {platform}",
                      "How scam advertisers keep beating {platform}'s ad checks"],
            "summary": ["Users reported dozens of fraudulent ads using a fake endorsement from {celebrity}; several said they lost money after depositing with '{coin}'.",
                        "The scam ads link to cloned news pages and ask for card details. Victims describe the losses as devastating.",
                        "Consumer groups say {platform} is too slow to remove the fraudulent adverts, which reappear under new advertiser accounts within hours.",
                        "One retiree told reporters she lost {amount} after clicking a sponsored ad that promised guaranteed returns.",
                        "Phishing ads copy the branding of {advertiser} and steal login details, security researchers warned."],
        },
        "trade": {
            "title": ["Scam-ad cloaking tactics evolve as {platform} tightens advertiser verification",
                      "Report: fraudulent finance ads made up {pct}% of flagged creatives on {platform} last quarter",
                      "Why cloaked crypto ads are a trust problem for every ad network"],
            "summary": ["Cloaking serves a clean landing page to reviewers and a scam page to users; analysts say detection lags behind the fraud.",
                        "Agency buyers warn that scam ads next to premium inventory erode trust and hurt CPMs for legitimate advertisers.",
                        "The study tracked fraudulent advertisers who rotate domains daily to evade {platform}'s automated review."],
        },
        "voice": {
            "title": ["Got scammed by an ad on {platform} - lost {amount}", "Another fake {celebrity} crypto ad, why is this allowed?",
                      "Reported the same scam ad 5 times, still running", "My mum fell for a scam ad on {platform}",
                      "PSA: the '{coin}' ads are a scam", "Scam ad used my company's logo", "Crypto scam ads again - {platform} please do something",
                      "Fake shop ad took my money", "Is this {celebrity} ad real? (spoiler: scam)"],
            "body": ["I clicked a sponsored ad with {celebrity} recommending '{coin}'. Deposited {amount}, now the site is gone. I feel so stupid and furious. Anyone else?",
                     "These scam ads are everywhere on {platform}. I report them and get 'no violation found'. Terrible.",
                     "My mum lost {amount} to a fake investment ad. The ad used a fake news article. How does {platform} still take money from these scammers?",
                     "Ad said it was from {advertiser} but it was a phishing page that stole my login. Awful experience.",
                     "Scam ad, fake endorsement, stolen money. {platform} doesn't care as long as the scammers pay."],
        },
        "review": ["Full of scam ads. Got tricked by a fake {celebrity} crypto ad and lost {amount}. Avoid!",
                   "Every other ad is a crypto scam. Reported them, nothing happens. Terrible app.",
                   "These ads are scams and dangerous. My father lost money because of one. Shameful.",
                   "Fake giveaway ads impersonating {advertiser}. This is a scam factory."],
        "social": ["Yet another fake {celebrity} crypto ad on {platform}. Report it, don't click it. {tag}",
                   "{platform} really needs to stop taking money from scammers. Lost {amount} to a fake ad. {tag}",
                   "Scam ad alert: '{coin}' is NOT endorsed by {celebrity}. {handle} {tag}"],
        "pos": {
            "title": ["{platform} launches crackdown on scam ads, removes {count} fraudulent advertisers",
                      "{platform} scam-ad reports drop {pct}% after new verification rules",
                      "Police praise {platform} for helping shut down crypto scam ring"],
            "summary": ["The company says stronger advertiser verification has helped block fake celebrity endorsement ads; consumer groups welcomed the progress.",
                        "Users can now report scam ads in two taps, and {platform} promises refunds support for victims. Campaigners called it a great step."],
        },
        "neu": {
            "title": ["{platform} tightens financial ad policy to curb scam ads ||policy_enforcement", "{platform} to require verification for crypto advertisers in {country} after scam ads"],
            "summary": ["From next month, advertisers promoting investment products must complete identity verification and show a licence number.",
                        "The policy update aims to keep scam ads for fake crypto exchanges, trading apps and investment courses off the platform."],
        },
        "pos_voice": ["Good news: reported a scam ad on {platform} and it was removed within the hour. Great to see.",
                      "Fewer scam ads in my feed lately, the new {platform} crackdown seems to be working. Nice!"],
    },
    "misleading_claims": {
        "neg": {
            "title": ["Ads for '{diet}' make false weight-loss claims, watchdog finds",
                      "Misleading health claims in ads for {cure} draw complaints",
                      "Shoppers say '70% off' ads on {platform} were fake discounts",
                      "Bait-and-switch: ads advertise {fake_item} at {amount}, deliver something else",
                      "Miracle diet ads return to {platform} despite ban on false claims"],
            "summary": ["The watchdog said the ads' miracle weight-loss promises were false and misleading, and ordered them withdrawn.",
                        "Customers complained the advertised discount never existed; the 'original' price was invented.",
                        "Doctors warned the misleading health claims could harm patients who stop real treatment.",
                        "Buyers say the product shown in the ad was not what arrived, a classic bait-and-switch."],
        },
        "trade": {
            "title": ["Misleading claims complaints up {pct}% as health advertisers test limits on {platform}",
                      "Standards body tightens rules on 'before and after' ad creatives"],
            "summary": ["Creative review teams face a backlog of health and diet ads with unverifiable claims, hurting advertiser trust.",
                        "Performance marketers say strict claim substantiation will raise CPA for supplement brands."],
        },
        "voice": {
            "title": ["Bought '{diet}' from an ad, total rip-off", "Fake discount ad on {platform}, 'was' price never existed",
                      "Ad promised {fake_item} for {amount}, got junk"],
            "body": ["The ad said I'd lose 10 kg in two weeks with '{diet}'. Nothing happened and they won't refund. Misleading and dishonest.",
                     "Ad showed a huge '80% off' sale. Price was the same as always. This is false advertising and I'm angry.",
                     "Classic bait-and-switch. The ad photo looked great, what arrived was cheap garbage. Complete waste of money."],
        },
        "review": ["Ads full of miracle cures and fake weight-loss claims. Misleading rubbish.",
                   "The 'limited time discount' ads are lies. Disappointed.",
                   "Ordered from an ad in the app, product was nothing like advertised. Terrible."],
        "social": ["That '{diet}' ad on {platform} is pure false advertising. {tag}", "Fake discount ads again. Same price as last month, lol. {tag}"],
        "pos": {"title": ["{platform} removes misleading diet ads after review, praised by health groups"],
                "summary": ["Health campaigners welcomed the move and said clear rules on weight-loss claims protect consumers."]},
        "neu": {"title": ["{platform} publishes new guidance on health claims in ads"],
                "summary": ["The guidance explains which claims need evidence and how 'before and after' images may be used."]},
        "pos_voice": ["Nice to see {platform} finally removing those miracle diet ads. Good call."],
    },
    "counterfeit_goods": {
        "neg": {
            "title": ["Counterfeit {luxury} {fake_item} sold through ads on {platform}",
                      "Fake designer {fake_item} flood {platform} ads ahead of holidays",
                      "Brand owner sues over knockoff ads on {platform}",
                      "Customs seize {count} counterfeit {fake_item} ordered via social ads"],
            "summary": ["Shoppers paid {amount} for what the ad called genuine {luxury} {fake_item}; they received obvious fakes.",
                        "{luxury} says counterfeiters run thousands of ads a week and {platform} is too slow to act.",
                        "Investigators traced the knockoff goods to a network of sellers using stolen brand images in ads."],
        },
        "trade": {"title": ["Counterfeit sellers exploit dynamic product ads, brand protection firms say"],
                  "summary": ["Brand protection vendors report counterfeit listings promoted through catalogue ads, hurting luxury advertisers' ROAS."]},
        "voice": {
            "title": ["Bought fake {luxury} {fake_item} from a {platform} ad", "Counterfeit sellers copying my product photos in ads"],
            "body": ["The ad said authentic {luxury}. They are obviously fake and the seller vanished. Lost {amount}. Never again.",
                     "Someone is running ads with my photos selling knockoffs of my {fake_item}. Reported it three times. Furious."],
        },
        "review": ["Ads for fake designer {fake_item} everywhere. Got scammed with a counterfeit. Avoid.",
                   "Bought from an in-app ad, received a cheap counterfeit. Terrible."],
        "social": ["PSA: the {luxury} {fake_item} ads on {platform} are counterfeit. {tag}"],
        "pos": {"title": ["{platform} and {luxury} team up to block counterfeit ads"],
                "summary": ["The partnership removed thousands of fake listings; the brand called it a strong result."]},
        "neu": {"title": ["{platform} expands brand registry for advertisers"],
                "summary": ["Rights owners can now file counterfeit reports for ads in bulk."]},
        "pos_voice": ["Reported a counterfeit ad and {platform} took it down same day. Impressed."],
    },
    "prohibited_products": {
        "neg": {
            "title": ["Ads for {banned_item} found running on {platform}", "Investigation: teens shown ads for {banned_item}",
                      "Unlicensed gambling ads target users in {country}", "Ads selling vapes to minors slip past {platform} filters"],
            "summary": ["Researchers found ads for {banned_item} despite the platform's ban; regulators called it alarming.",
                        "The unlicensed casino ads offered bonuses and no age checks, breaking gambling rules.",
                        "Parents are angry that children saw ads for prohibited products such as {banned_item}."],
        },
        "trade": {"title": ["Prohibited-product ads test the limits of automated review"],
                  "summary": ["Advertisers promoting restricted goods use misspellings and image tricks to evade classifiers."]},
        "voice": {"title": ["Why am I seeing ads for {banned_item}?"],
                  "body": ["My 14-year-old got ads for disposable vapes on {platform}. This is illegal and disgusting."]},
        "review": ["Shows my kid ads for vapes and gambling. Shameful.", "Ads for {banned_item}?! Reported, still there. Awful."],
        "social": ["How are ads for {banned_item} allowed on {platform}? {tag}"],
        "pos": {"title": ["{platform} blocks unlicensed gambling advertisers in {country}"],
                "summary": ["Regulators welcomed the move as a positive step for player safety."]},
        "neu": {"title": ["{platform} clarifies restricted products list for advertisers"],
                "summary": ["The list covers weapons, drugs, tobacco and gambling, with licence requirements by country."]},
        "pos_voice": ["Glad {platform} finally blocked those casino ads. Good."],
    },
    "adult_content_ads": {
        "neg": {
            "title": ["Explicit ads shown to teenagers on {platform}, parents say",
                      "Sexual content ads appear in children's game apps", "Advertisers complain of adult ads next to family content ||brand_safety"],
            "summary": ["Parents shared screenshots of explicit adult ads served inside apps rated for children; many called it outrageous.",
                        "The sexual ads bypassed age targeting, according to complaints collected by a child safety group."],
        },
        "trade": {"title": ["Adult-content ads leaking into family inventory, SSPs admit"],
                  "summary": ["Misclassified creatives let explicit ads reach under-18 audiences, a brand safety failure for publishers. ||brand_safety"]},
        "voice": {"title": ["Explicit ads in a kids game, seriously?"],
                  "body": ["My daughter's game app showed a sexual ad from {platform}'s network. Disgusting. Reported it."]},
        "review": ["Inappropriate explicit ads in a game for kids. Deleted. Disgusting.", "Adult ads keep popping up. Not OK for a family app."],
        "social": ["Explicit ads on a children's app via {platform}. Unacceptable. {tag}"],
        "pos": {"title": ["{platform} tightens controls on adult ads, child safety groups approve"],
                "summary": ["New age checks and stricter classification should keep explicit ads away from minors, campaigners said."]},
        "neu": {"title": ["{platform} updates sensitive content ad categories"],
                "summary": ["Publishers can now opt out of more ad categories, including dating and adult products."]},
        "pos_voice": ["No more weird adult ads in my kid's games since the update. Good job."],
    },
    "political_ads": {
        "neg": {
            "title": ["Disinformation ads target voters ahead of {election}", "Political ads missing from {platform}'s ad library, researchers say",
                      "Microtargeted election ads spread false claims about {party}", "{platform} criticised over unlabelled political ads"],
            "summary": ["Researchers found hundreds of election ads that never appeared in the transparency ad library, undermining trust.",
                        "The political ads used microtargeting to reach undecided voters with false and misleading claims.",
                        "Election officials warned that paid disinformation could damage confidence in {election}."],
        },
        "trade": {"title": ["Political ad spend on {platform} hits record as transparency rules tighten"],
                  "summary": ["Campaigns shift budgets to microtargeted video; ad library gaps worry researchers."]},
        "voice": {"title": ["Getting political ads full of lies"], "body": ["I keep getting election ads for {party} with false claims. Reported as disinformation, nothing happens. Angry."]},
        "review": ["Political ads with obvious lies every day. Sick of it."],
        "social": ["These {party} ads on {platform} are straight-up disinformation. Where's the ad library entry? {tag}"],
        "pos": {"title": ["{platform} expands ad library transparency for election ads"],
                "summary": ["Watchdogs praised the improvement, which shows spend and targeting for every political ad."]},
        "neu": {"title": ["{platform} sets political ad blackout period before {election}"],
                "summary": ["New political ads will not be accepted in the final week before the vote."]},
        "pos_voice": ["Love that the ad library now shows who paid for each election ad. Great transparency."],
    },
    "ad_fraud": {
        "neg": {
            "title": ["Bot traffic scheme stole {amount} from advertisers, study finds", "Click fraud ring inflated {platform} campaign results",
                      "Advertisers demand refunds after fake impressions uncovered", "Ad stacking fraud hit {count} apps on {platform}'s network"],
            "summary": ["Investigators say bots generated fake clicks and impressions, costing advertisers millions in wasted, stolen budgets.",
                        "The fraud scheme used hidden ads stacked behind visible ones so advertisers paid for impressions nobody saw.",
                        "{advertiser} said it lost {amount} to invalid traffic and wants its money back."],
        },
        "trade": {
            "title": ["IVT rates spike to {pct}% on open-exchange video inventory", "Sophisticated invalid traffic (SIVT) hits CTV campaigns",
                      "Buyers question {platform}'s IVT filtering after audit"],
            "summary": ["Verification vendors flagged bot traffic and spoofed domains; buyers want make-goods and lower CPMs.",
                        "Ad stacking and pixel stuffing inflated viewability metrics, the audit found.",
                        "Agencies say general invalid traffic is now filtered well, but SIVT remains a costly fraud problem."],
        },
        "voice": {"title": ["My campaign got 3,000 clicks and zero sales. Bots?", "Paying for bot clicks on {platform}", "Click fraud is draining my ad budget",
                            "Weird traffic spike from one country, all bots"],
                  "body": ["Half my budget went to clicks from obvious bots. {platform} refused a refund. This is fraud.",
                           "Traffic from my ads bounces in 0 seconds. Click fraud is eating my small business alive."]},
        "review": ["Advertised my shop here, got only bot clicks. Waste of money."],
        "social": ["Audit shows bots clicking ads on {platform}. Advertisers are getting robbed. {tag}"],
        "pos": {"title": ["{platform} refunds advertisers for invalid traffic, cuts bot clicks by {pct}%"],
                "summary": ["Advertisers welcomed the refunds and better fraud detection."]},
        "neu": {"title": ["{platform} publishes quarterly invalid traffic report"],
                "summary": ["The report covers detection methods, IVT rates by format and refund totals."]},
        "pos_voice": ["Got an automatic invalid-traffic refund from {platform} today. Nice surprise."],
    },
    "advertiser_accounts": {
        "neg": {
            "title": ["Small businesses say {platform} ad accounts suspended without warning",
                      "Advertisers locked out as {platform} disables ad accounts", "Payment failures leave advertisers unable to run ads on {platform}",
                      "Billing error charges {platform} advertisers twice"],
            "summary": ["Owners say their ad accounts were suspended for 'suspicious payments' with no explanation and no human support.",
                        "Some advertisers lost weeks of sales while waiting for account reviews; many called the process unfair.",
                        "A billing problem charged cards twice and refunds are slow, advertisers complained."],
        },
        "trade": {"title": ["Account suspension wave hits SMB advertisers on {platform}"],
                  "summary": ["Agencies report disabled ad accounts across client portfolios; campaigns paused mid-flight hurt ROAS."]},
        "voice": {
            "title": ["My ad account got disabled for no reason, anyone else?", "Ad account suspended, appeal denied in 5 minutes ||policy_enforcement",
                      "{platform} charged me twice and won't refund", "Payment failed, account on hold for 2 weeks",
                      "{platform} disabled my ad account the day before Black Friday", "Ad account restricted for 'unusual payment activity'??",
                      "Business account banned after 4 years of spending", "Billing error: {amount} taken, no ads delivered",
                      "Lost access to my {platform} ads account - what now?", "Ad account suspended while I was asleep, {count} orders lost"],
            "body": ["Ran ads for {advertiser} for 3 years, never a problem. Today the ad account is disabled for 'circumventing systems'. No explanation. This is killing my business.",
                     "Account suspended, appeal rejected by a bot. I have lost thousands in sales. Terrible support. ||policy_enforcement",
                     "Card payment failed because of their error, now my ad account is restricted. Unfair and frustrating.",
                     "Double billed {amount}. Support keeps closing my ticket. Awful.",
                     "We spend {amount} a month with {platform}. Account disabled, no warning, no phone number. I'm furious and scared for my staff.",
                     "Payment failed on their side, then the ad account got suspended for an 'unpaid balance'. Absurd and unfair.",
                     "Third ad account disabled this year. Every appeal goes to a bot. Worst support I've ever dealt with. ||policy_enforcement"],
        },
        "review": ["Ad account banned with no reason. Support useless. 0 stars if I could.",
                   "Charged twice for ads and no refund. Terrible billing."],
        "social": ["Woke up to my ad account disabled on {platform}. No reason, no human. {tag}",
                   "Anyone else's {platform} ad account suspended today? Appeal went nowhere. {tag}"],
        "pos": {"title": ["{platform} restores wrongly suspended advertiser accounts and issues refunds"],
                "summary": ["The company apologised and promised faster human reviews; advertisers welcomed the fix."]},
        "neu": {"title": ["{platform} changes advertiser verification steps"],
                "summary": ["New advertisers will verify identity and payment method before their first campaign."]},
        "pos_voice": ["Update: my ad account is back and they refunded the double charge. Thanks {platform} support!"],
    },
    "creator_payouts": {
        "neg": {
            "title": ["Angry creators say {platform} payouts are weeks late", "{platform} cuts creator revenue share, angering video makers",
                      "Mass demonetization hits small channels on {platform}", "Publishers report missing ad revenue payments"],
            "summary": ["Creators who rely on ad revenue say the late payouts mean missed rent; many are furious at the silence.",
                        "The revenue share cut means creators earn less per view; some are leaving the platform.",
                        "Channels were demonetized without clear reasons and appeals are stuck; creators called it unfair and demoralising."],
        },
        "trade": {"title": ["Publisher payout delays put pressure on {platform}'s network"],
                  "summary": ["Late payments and a raised payment threshold squeeze small publishers' cash flow."]},
        "voice": {
            "title": ["Payout still not here, so stressed", "Demonetized overnight for 'reused content'", "{platform} raised the payment threshold again?",
                      "{platform} payout says 'on hold' - what does that mean?", "Revenue share cut from 55% to 45%??", "Where is my money, {platform}?",
                      "Channel demonetized after a copyright claim I won", "Payment delayed again, third month in a row", "RPM crashed and payouts are late"],
            "body": ["My payout was due on the 21st, still nothing. Support says 'processing'. I need this money. So frustrated.",
                     "Whole channel demonetized with no explanation. Years of work, gone. This is unfair.",
                     "They raised the payment threshold so small creators wait months for their earnings. Terrible.",
                     "Earnings dashboard shows {amount} pending since last month. Emails ignored. How are we supposed to live like this?",
                     "The revenue share cut is brutal. Same views, half the money. Feels like theft from creators."],
        },
        "review": ["Creator payouts always late. Awful for small creators.", "Got demonetized for nothing. Unfair."],
        "social": ["Day 12 of waiting for my {platform} payout. {tag}", "Demonetized again with zero explanation. {tag}"],
        "pos": {"title": ["{platform} creators report record earnings as payouts arrive early",
                          "{platform} lowers payout threshold, a win for small creators"],
                "summary": ["Creators celebrated faster payments and a higher revenue share this month."]},
        "neu": {"title": ["{platform} updates creator payment schedule"],
                "summary": ["Payouts will move to the 15th of each month; the threshold stays at $100."]},
        "pos_voice": ["Payout arrived early this month! Best month ever on {platform}. Happy.",
                      "Record earnings this month thanks to the new revenue share. Love it."],
    },
    "privacy_targeting": {
        "neg": {
            "title": ["{platform} fined {amount} over ad targeting consent", "Personal health data used for ad targeting, report says",
                      "Tracking pixels sent users' data to advertisers without consent", "Cookie banners on {platform} break GDPR rules, regulator finds"],
            "summary": ["{regulator} said the company processed personal data for targeted ads without valid consent.",
                        "Users are angry that sensitive data was used to target ads; privacy groups called it a serious violation.",
                        "The tracking continued even after users rejected cookies, the investigation found."],
        },
        "trade": {"title": ["Consent rates fall as GDPR enforcement bites on targeting", "Signal loss: what the {platform} fine means for addressable ads"],
                  "summary": ["Marketers expect lower match rates and higher CPMs as consent-based targeting shrinks."]},
        "voice": {"title": ["Creepy ads after a private conversation"],
                  "body": ["I searched for a medical condition once and now every ad is about it. This tracking is creepy and a privacy violation."]},
        "review": ["Tracks everything you do to target ads. Creepy. Deleted."],
        "social": ["Fined for tracking without consent. Good. Now stop the creepy targeting, {platform}. {tag}"],
        "pos": {"title": ["{platform} adds one-click opt-out from personalised ads"],
                "summary": ["Privacy advocates welcomed the change as a positive step for user control."]},
        "neu": {"title": ["{platform} updates its privacy policy for advertisers"],
                "summary": ["The update explains how consent signals are passed to ad partners."]},
        "pos_voice": ["The new ad privacy settings on {platform} are actually great. Turned off targeting in a second."],
    },
    "policy_enforcement": {
        "neg": {
            "title": ["Advertisers say {platform}'s ad review is inconsistent and unfair", "Ad review backlog leaves campaigns stuck for days",
                      "Wrongful ad rejections frustrate small businesses on {platform}", "Appeals ignored as {platform} enforces new ad policy"],
            "summary": ["Identical ads are approved one day and rejected the next, advertisers complain; appeals take weeks.",
                        "A review backlog means new ads sit in 'pending' while sales are lost, frustrating owners.",
                        "Businesses say the ad policy is applied inconsistently and the appeal process is broken."],
        },
        "trade": {"title": ["Ad review SLAs slip as {platform} moderation backlog grows"],
                  "summary": ["Agencies see longer creative approval times, delaying flights and hurting pacing."]},
        "voice": {"title": ["Ad rejected for 'misleading claims' - it's a candle", "Appeal pending for 3 weeks", "Same ad approved, then rejected, then approved",
                            "Ads stuck 'in review' for 4 days", "Policy violation on a photo of a teapot?", "Wrongly flagged again, appeal denied"],
                  "body": ["My ad for handmade candles was rejected for a policy violation. No detail. Appealed, rejected again. Ridiculous.",
                           "The ad review is so inconsistent. Approved on Monday, rejected on Tuesday. I'm losing sales and patience.",
                           "Moderation backlog is insane. My ads have been pending review for days while my competitors' ads run. So unfair."]},
        "review": ["Ad review is a joke, rejected for nothing. Frustrating."],
        "social": ["My ad rejected again by {platform} for no reason. Appeal ignored. {tag}"],
        "pos": {"title": ["{platform} cuts ad review times and adds human appeals"],
                "summary": ["Advertisers welcomed faster reviews and a clearer appeal process."]},
        "neu": {"title": ["{platform} announces ad policy update for next quarter"],
                "summary": ["The policy update clarifies rules for claims, restricted products and appeals."]},
        "pos_voice": ["Appeal approved in 2 hours by a real person. Great improvement, {platform}."],
    },
    "brand_safety": {
        "neg": {
            "title": ["Brands pause ad spending after ads appear next to extremist videos", "{advertiser} pulls ads from {platform} over harmful content",
                      "Advertiser boycott grows as ads run beside hate content", "Ads shown next to violent content on {platform}, report says"],
            "summary": ["Major advertisers paused spending after their ads appeared beside extremist and hateful content.",
                        "{advertiser} said it was appalled to see its brand next to harmful videos and suspended its campaigns.",
                        "The boycott could cost the platform millions, analysts said."],
        },
        "trade": {"title": ["Brand safety scare: buyers demand inclusion lists after {platform} incident", "Brand lift no consolation as adjacency risk rises"],
                  "summary": ["Buyers push for tighter brand-safety controls and third-party verification before resuming spend."]},
        "voice": {"title": ["My ads are showing next to hate videos"], "body": ["Found my small brand's ads next to an extremist video on {platform}. Horrified. Paused everything."]},
        "review": ["Ads next to violent and hateful content. Disturbing."],
        "social": ["Seeing {advertiser} ads next to extremist content on {platform}. Not great. {tag}"],
        "pos": {"title": ["Advertisers return to {platform} after brand safety fixes"],
                "summary": ["New controls won praise from advertisers, who resumed spending."]},
        "neu": {"title": ["{platform} joins industry brand safety standards body"],
                "summary": ["The platform will report adjacency metrics using shared industry definitions."]},
        "pos_voice": ["The new brand safety controls on {platform} are solid. Happy to keep advertising."],
    },
    "ad_experience": {
        "neg": {
            "title": ["Users complain of too many ads on {platform}", "{platform} adds unskippable ads, users angry",
                      "Intrusive pop-up ads drive readers away", "Ad load doubles on {platform}'s free tier"],
            "summary": ["Users say they now see ads every few minutes and the unskippable format is infuriating.",
                        "Readers complained about intrusive pop-ups and autoplay video ads that make pages unusable.",
                        "The heavier ad load has triggered a wave of angry reviews."],
        },
        "trade": {"title": ["Ad load creep threatens engagement on {platform}", "Unskippable formats boost completion rates but hurt sentiment"],
                  "summary": ["Publishers chasing CPMs raise ad density; researchers warn of ad fatigue and churn."]},
        "voice": {"title": ["Ads every 30 seconds now?", "Unskippable 2-minute ads, seriously", "Is anyone else drowning in ads on {app}?", "Pop-up ads on my own channel page"],
                  "body": ["I used to like {app} but now there's an ad every 30 seconds. Unskippable too. Awful.",
                           "The new pop-up ads cover the whole screen and the close button is tiny. So annoying."]},
        "review": ["Ads every 30 seconds. Unskippable. Uninstalled.", "Way too many ads, app is unusable now. Terrible update.",
                   "Pop-up ads cover the screen and the X button doesn't work. Hate it.", "Used to love {app}, now it's 50% ads. Awful."],
        "social": ["{app} now has unskippable ads every 2 minutes. No thanks. {tag}", "The ad load on {platform} is out of control. {tag}"],
        "pos": {"title": ["{platform} cuts ad load after user feedback"],
                "summary": ["Users praised the change, saying the app feels better with fewer, shorter ads."]},
        "neu": {"title": ["{platform} tests new ad formats in {country}"],
                "summary": ["The test includes shorter skippable video ads and a cap on ads per session."]},
        "pos_voice": ["Fewer ads since the last update. Love it, 5 stars.", "Finally skippable ads again. Thank you {app}!"],
    },
}

# Items about two topics at once (news style): (topic_a, topic_b, polarity, title, summary)
PAIRS: list[tuple[str, str, str, str, str]] = [
    ("scam_ads", "advertiser_accounts", "negative", "{platform} suspends {count} advertiser accounts behind crypto scam ads",
     "Scammers simply opened new ad accounts with stolen payment cards, victims said, calling the response too little too late."),
    ("scam_ads", "policy_enforcement", "negative", "Scam ads approved while legitimate ads rejected, sellers say",
     "Small businesses are furious that {platform}'s ad review rejects their ads but lets obvious crypto scams through."),
    ("ad_fraud", "creator_payouts", "negative", "{platform} claws back publisher earnings over invalid traffic",
     "Publishers say payouts were cut after bot traffic was detected on their sites, and the clawbacks feel unfair."),
    ("brand_safety", "ad_fraud", "negative", "Audit finds ads on spoofed sites with extremist content",
     "Brand safety failures and domain spoofing fraud wasted advertisers' budgets, the audit says."),
    ("privacy_targeting", "political_ads", "negative", "Voter data used to microtarget political ads without consent",
     "Privacy regulators are investigating how personal data reached election ad campaigns."),
    ("misleading_claims", "prohibited_products", "negative", "Ads for unlicensed weight-loss injections make false claims",
     "The ads promised miracle results from unlicensed drugs; doctors warned they are dangerous."),
    ("counterfeit_goods", "scam_ads", "negative", "Fake {luxury} outlet ads steal card details",
     "The ads promise designer {fake_item} at 90% off; buyers get counterfeits or nothing, and their cards are charged again."),
    ("advertiser_accounts", "policy_enforcement", "negative", "Wrongful bans: advertisers say appeals are ignored",
     "Owners of suspended ad accounts say the appeal process is broken and support is unresponsive."),
    ("creator_payouts", "policy_enforcement", "negative", "Creators hit by demonetization say policy is enforced inconsistently",
     "Channels lose ad revenue for content that others post freely, creators complain."),
    ("ad_experience", "adult_content_ads", "negative", "Pop-up ads with explicit content anger app users",
     "Users say intrusive pop-ups with adult content appear in games for kids."),
    ("scam_ads", "ad_experience", "positive", "{platform} ad quality push: fewer scam ads and lighter ad load",
     "Users and consumer groups welcomed the improvement, praising cleaner, safer ads."),
]

# Ads-industry items with no risk topic (they mention platforms: a taxonomy must not tag them).
INDUSTRY: list[tuple[str, str, str]] = [
    ("neutral", "{platform} reports quarterly ad revenue up {pct}%", "Growth came from video and shopping formats, the company said in its earnings release."),
    ("neutral", "{platform} launches shoppable video ads in {country}", "Merchants can tag products in short videos; the format rolls out over the next month."),
    ("neutral", "{agency} wins {advertiser} media account", "The agency will handle planning and buying across search, social and CTV."),
    ("positive", "{platform} opens self-serve ads to small sellers, praised by merchants", "Sellers welcomed the simpler tools and lower minimum budgets."),
    ("neutral", "{platform} hires new chief marketing officer", "The executive joins from a consumer goods company and starts next month."),
    ("neutral", "Retail media networks grab larger share of ad budgets", "Analysts expect retail media to grow faster than search this year."),
    ("positive", "{advertiser} campaign on {platform} wins creative award", "Judges praised the campaign's playful storytelling and strong brand lift."),
    ("neutral", "{platform} releases new measurement API for advertisers", "The API reports reach and frequency across devices."),
]

# Irrelevant noise. Some use words a naive keyword matcher would trip on (fraud, banned, scam,
# payout, targeting, suspended, boycott, pop-up) in contexts that have nothing to do with ads.
NOISE: list[tuple[str, str, str]] = [
    ("neutral", "{company} shares rise after earnings beat", "Revenue grew {pct}% year on year, ahead of analyst estimates."),
    ("neutral", "{company} opens new headquarters in {city}", "The move brings around {count} jobs to the area."),
    ("positive", "{team} win the cup final in dramatic fashion", "A late goal sealed a thrilling victory in front of a sold-out crowd."),
    ("negative", "{team} crash out after penalty shootout defeat", "Fans were left disappointed after a poor second half."),
    ("negative", "Striker banned for five matches after red card", "The league confirmed the suspension after reviewing the incident."),
    ("negative", "Sprinter banned for doping violation", "The athletics body said the ban runs for four years."),
    ("negative", "Bank warns customers about phone scam calls", "Fraudsters pretend to be bank staff and ask for one-time codes; the bank will never call to ask for them."),
    ("negative", "Former {company} executive charged with tax fraud", "Prosecutors allege the scheme hid millions from tax authorities."),
    ("negative", "Insurance fraud ring dismantled in {city}", "Police say the group staged car accidents to claim compensation."),
    ("negative", "Flood victims say insurance payouts are delayed", "Homeowners in {city} are still waiting months after the storm."),
    ("positive", "Lottery winner in {city} collects record payout", "The jackpot is the largest in the lottery's history."),
    ("neutral", "Police step up targeting of speeding drivers in {city}", "Extra patrols will run through the holiday weekend."),
    ("neutral", "Referee suspended pending review of controversial call", "The league will publish its findings next week."),
    ("neutral", "Fans call for boycott of ticket price rise at {team}", "Supporters' groups say the increase prices out families."),
    ("positive", "Pop-up restaurant brings street food to {city}", "The pop-up runs for three weeks and has already sold out its first weekend."),
    ("neutral", "Heatwave expected across {country} this weekend", "Forecasters advise people to stay hydrated."),
    ("positive", "Scientists discover new species of deep-sea fish", "The discovery was made during an expedition off the coast of {country}."),
    ("neutral", "{company} unveils new smartphone chip", "The chip promises longer battery life and faster on-device AI."),
    ("positive", "Ten easy recipes for late summer", "Simple dishes with tomatoes, courgettes and fresh herbs."),
    ("neutral", "Central bank holds interest rates steady", "Policymakers said inflation is moving toward target."),
    ("positive", "Local library celebrates 100 years", "Residents in {city} joined a weekend of readings and music."),
    ("negative", "Train strike disrupts commuters in {city}", "Unions and operators remain far apart on pay."),
    ("neutral", "{company} recalls {count} kettles over faulty switch", "Customers are asked to stop using the product and contact the company."),
    ("positive", "Marathon in {city} raises money for charity", "Thousands of runners took part in perfect conditions."),
    ("negative", "Online shoppers warned of parcel delivery scam texts", "The texts ask for a small redelivery fee and steal card details."),
    ("neutral", "Streaming series returns for a second season", "The cast confirmed filming begins in {city} in the spring."),
    ("neutral", "Elections commission confirms polling station hours", "Polls open at 7am and close at 10pm."),
    ("negative", "Chess grandmaster accused of cheating, investigation opened", "The federation says it is reviewing the games."),
]
NOISE_VOICE: list[tuple[str, str, str]] = [
    ("neutral", "Best shipping carrier for small parcels?", "Looking for recommendations, I ship about 50 orders a week to {country}."),
    ("positive", "Hit 1,000 subscribers today!", "Thank you all, this community helped me so much. So happy!"),
    ("neutral", "Which camera do you use for product photos?", "Thinking of upgrading, budget is around {amount}."),
    ("negative", "Got a scam phone call pretending to be my bank", "Not ad related, just a warning: they knew my name and asked for a code. Hung up."),
    ("positive", "Great update, love the dark mode", "The new design is clean and fast. 5 stars."),
    ("negative", "App crashes when I open settings", "Since the last update it crashes every time. Please fix."),
    ("neutral", "How do you handle returns from {country}?", "Customs forms are confusing, any tips?"),
    ("positive", "Finally finished my first video series", "Ten episodes about baking bread. Proud of this one!"),
]

# Non-English bank: (language, topic or None, polarity, title, summary).
FOREIGN: list[tuple[str, str | None, str, str, str]] = [
    ("de", "scam_ads", "negative", "Betrügerische Krypto-Werbung mit {celeb_name} auf {platform}", "Nutzer verloren Geld durch gefälschte Anzeigen, die eine angebliche Empfehlung zeigten. Verbraucherschützer sprechen von Betrug."),
    ("de", "scam_ads", "negative", "Verbraucherzentrale warnt vor Fake-Anzeigen für Geldanlagen", "Die Anzeigen führen zu gefälschten Nachrichtenseiten; Opfer verloren bis zu {amount}."),
    ("de", "ad_fraud", "negative", "Klickbetrug: Werbetreibende zahlen für Bot-Traffic", "Eine Studie zeigt, dass ein großer Teil der Klicks auf {platform} von Bots stammt."),
    ("de", "privacy_targeting", "negative", "Datenschutzbehörde verhängt Bußgeld gegen {platform}", "Personenbezogene Daten seien ohne gültige Einwilligung für gezielte Werbung genutzt worden (DSGVO)."),
    ("de", "advertiser_accounts", "negative", "Händler klagen über gesperrte Werbekonten bei {platform}", "Viele kleine Unternehmen verlieren Umsatz, weil ihre Werbekonten ohne Begründung gesperrt wurden."),
    ("de", "creator_payouts", "negative", "Creator warten wochenlang auf Auszahlungen von {platform}", "Die verspäteten Zahlungen sorgen für Ärger in der Community."),
    ("de", "brand_safety", "negative", "Marken stoppen Werbung nach Anzeigen neben extremistischen Inhalten", "Mehrere Werbekunden haben ihre Kampagnen auf {platform} pausiert."),
    ("de", "ad_experience", "negative", "Nutzer genervt: Immer mehr Werbung in der {app}-App", "Nicht überspringbare Werbespots alle paar Minuten sorgen für schlechte Bewertungen."),
    ("de", "political_ads", "negative", "Desinformation in Wahlwerbung vor {election}", "Forscher fanden politische Anzeigen, die nicht in der Anzeigenbibliothek erscheinen."),
    ("de", "counterfeit_goods", "negative", "Gefälschte Markenware über Social-Media-Werbung verkauft", "Käufer zahlten {amount} für angeblich echte {luxury}-Taschen und erhielten Fälschungen."),
    ("de", "scam_ads", "positive", "{platform} geht gegen betrügerische Werbung vor", "Tausende gefälschte Anzeigen wurden entfernt; Verbraucherschützer loben den Schritt."),
    ("de", None, "neutral", "Bundesliga: {team} gewinnt Auswärtsspiel", "Ein spätes Tor entschied die Partie."),
    ("de", None, "neutral", "Wetter: Gewitter im Süden erwartet", "Der Wetterdienst warnt vor Starkregen am Wochenende."),
    ("de", None, "neutral", "{company} eröffnet neues Werk in Sachsen", "Rund {count} Arbeitsplätze sollen entstehen."),
    ("de", None, "negative", "Polizei warnt vor Betrug am Telefon", "Betrüger geben sich als Bankmitarbeiter aus."),
    ("fr", "scam_ads", "negative", "Arnaques aux publicités crypto avec {celeb_name} sur {platform}", "De nombreuses victimes ont perdu de l'argent après avoir cliqué sur de fausses publicités."),
    ("fr", "misleading_claims", "negative", "Publicité mensongère : des pilules minceur miracles épinglées", "L'autorité dénonce des allégations santé trompeuses dans des annonces sur {platform}."),
    ("fr", "privacy_targeting", "negative", "{platform} sanctionné par la CNIL pour ciblage publicitaire", "Les données personnelles auraient été utilisées sans consentement valable."),
    ("fr", "creator_payouts", "negative", "Les créateurs dénoncent des paiements en retard sur {platform}", "Certains attendent leurs revenus publicitaires depuis plusieurs semaines."),
    ("fr", "brand_safety", "negative", "Des annonceurs suspendent leurs campagnes sur {platform}", "Leurs publicités apparaissaient à côté de contenus haineux."),
    ("fr", "policy_enforcement", "negative", "Publicités refusées sans explication : les commerçants s'agacent", "La procédure d'appel de {platform} est jugée opaque et injuste."),
    ("fr", "ad_experience", "negative", "Trop de publicités : les utilisateurs de {app} protestent", "Les publicités impossibles à passer exaspèrent les abonnés."),
    ("fr", "political_ads", "neutral", "Publicités politiques : {platform} renforce la transparence", "La bibliothèque publicitaire affichera le financeur de chaque annonce électorale."),
    ("fr", None, "neutral", "Ligue 1 : {team} s'impose à domicile", "Une victoire importante pour le classement."),
    ("fr", None, "neutral", "La SNCF annonce de nouveaux horaires d'été", "Les changements entrent en vigueur le mois prochain."),
    ("fr", None, "positive", "Festival de musique à Lyon : une édition record", "Plus de {count} spectateurs ont assisté aux concerts."),
    ("es", "scam_ads", "negative", "Alertan de anuncios fraudulentos de criptomonedas en {platform}", "Los anuncios usan la imagen de {celeb_name} sin permiso; varias víctimas perdieron dinero."),
    ("es", "counterfeit_goods", "negative", "Venden productos falsificados mediante anuncios en redes sociales", "Los compradores recibieron imitaciones de {luxury} en lugar de productos originales."),
    ("es", "advertiser_accounts", "negative", "Pymes denuncian cuentas publicitarias suspendidas en {platform}", "Sin explicación ni soporte, muchos negocios han perdido ventas."),
    ("es", "ad_fraud", "negative", "Fraude publicitario: bots inflan los clics en campañas", "Los anunciantes reclaman reembolsos por tráfico inválido."),
    ("es", "prohibited_products", "negative", "Anuncios de vapeadores dirigidos a menores en {platform}", "Padres y asociaciones critican la falta de control."),
    ("es", "creator_payouts", "positive", "Los creadores celebran pagos anticipados en {platform}", "La plataforma adelantó los pagos de ingresos publicitarios este mes."),
    ("es", None, "neutral", "La Liga: {team} empata en el último minuto", "El partido terminó 2-2 tras una segunda parte intensa."),
    ("es", None, "neutral", "Ola de calor en el sur de España", "Las temperaturas superarán los 40 grados."),
    ("it", "scam_ads", "negative", "Truffe online: pubblicità false con {celeb_name} su {platform}", "Gli utenti hanno perso denaro investendo in una falsa piattaforma di trading."),
    ("it", "privacy_targeting", "negative", "Il Garante privacy multa {platform} per la pubblicità mirata", "I dati personali sono stati usati senza consenso."),
    ("it", "brand_safety", "negative", "Inserzionisti sospendono gli investimenti dopo annunci accanto a contenuti estremisti", "Diversi marchi hanno bloccato le campagne su {platform}."),
    ("it", "ad_experience", "negative", "Troppa pubblicità nell'app {app}, utenti furiosi", "Annunci non saltabili ogni pochi minuti."),
    ("it", None, "neutral", "Serie A: {team} vince il derby", "Decisivo un gol nel secondo tempo."),
    ("it", None, "positive", "Nuovo museo apre a Milano", "L'inaugurazione ha attirato migliaia di visitatori."),
]
FOREIGN_VOICE: list[tuple[str, str | None, str, str]] = [
    ("de", "ad_experience", "negative", "1 Stern. Alle 30 Sekunden Werbung, nicht überspringbar. Furchtbar."),
    ("de", "advertiser_accounts", "negative", "Mein Werbekonto wurde ohne Grund gesperrt. Hat jemand das gleiche Problem?"),
    ("de", "scam_ads", "negative", "Schon wieder eine Betrugsanzeige mit {celeb_name}. Gemeldet, passiert nichts."),
    ("fr", "ad_experience", "negative", "1 étoile. Des pubs partout, impossible de les passer. Nul."),
    ("fr", "creator_payouts", "negative", "Toujours pas reçu mon paiement de {platform}. Quelqu'un d'autre ?"),
    ("es", "scam_ads", "negative", "Me estafaron con un anuncio falso en {platform}. Perdí {amount}."),
    ("es", "ad_experience", "negative", "1 estrella. Demasiados anuncios, la app es inutilizable."),
    ("it", "advertiser_accounts", "negative", "Account pubblicitario disattivato senza motivo. Qualcuno ha lo stesso problema?"),
]

# ----------------------------------------------------------------------------------------------
# Incidents: laid out over the period (fractions of the post-baseline window), each with its own
# slot overrides and a few incident-specific lines so an analyst sees one coherent story.
# sentiment_shift = mean VADER compound (plain VADER, title + summary, English items of the topic)
# during the incident minus the pre-incident baseline, measured on the default corpus (seed
# 20260801, 90 days) and rounded; other seeds land close to it.
# ----------------------------------------------------------------------------------------------
INCIDENTS: list[dict[str, Any]] = [
    {"topic": "scam_ads", "duration": 5, "magnitude": 6.0, "sentiment_shift": -0.20,
     "description": "Wave of deepfake celebrity crypto scam ads on AdNova (fake endorsement by TV presenter Dana Whitfield for 'QuantumYield')",
     "slots": {"platform": "AdNova", "celebrity": "TV presenter Dana Whitfield", "celeb_name": "Dana Whitfield", "coin": "QuantumYield"},
     "lines": [("Deepfake Dana Whitfield ads on AdNova cost victims {amount}", "Dozens of people say they lost savings to the QuantumYield scam after seeing a fake video of the presenter on AdNova. Furious victims want refunds."),
               ("Dana Whitfield: 'I never endorsed QuantumYield, these ads are a scam'", "The presenter condemned the fraudulent deepfake ads and criticised AdNova for failing to stop them."),
               ("Lost {amount} to the QuantumYield ad with Dana Whitfield", "It looked like a real interview. Deposited, then the account vanished. AdNova still shows the same scam ad. Devastated."),
               ("QuantumYield scam: victims in {country} say AdNova ignored their reports", "Victims describe sleepless nights and stolen savings after the fake Dana Whitfield ads; they accuse AdNova of profiting from fraud."),
               ("My dad lost his pension to a fake Dana Whitfield ad on AdNova", "Heartbroken and angry. The scam ad is still running. How is this legal?"),
               ("Stop the Dana Whitfield deepfake scam ads, AdNova!", "Disgusting fraud, stolen money, zero action. Shame on AdNova.")]},
    {"topic": "creator_payouts", "duration": 4, "magnitude": 5.0, "sentiment_shift": -0.15,
     "description": "AdNova publisher and creator payouts delayed by a payment processing failure",
     "slots": {"platform": "AdNova"},
     "lines": [("AdNova payouts missing for thousands of creators", "A payment processing failure delayed monthly earnings; creators say they can't pay bills and are angry at the lack of updates."),
               ("Still no AdNova payout, day {days}", "Support keeps saying 'processing'. Rent is due. This delay is a disaster for small creators."),
               ("AdNova payout delay: creators furious as bills pile up", "Creators say the missing payments are unacceptable and they feel betrayed and ignored."),
               ("No AdNova payout again - I can't pay rent", "Worst month ever. Angry, stressed and broke because AdNova failed to pay us. Terrible."),
               ("AdNova owes me {amount} and nobody answers", "Late payout, no explanation, tickets closed. Disgraceful treatment of creators.")]},
    {"topic": "ad_fraud", "duration": 4, "magnitude": 4.0, "sentiment_shift": -0.05,
     "description": "Bot-traffic scandal: audit finds a botnet generating fake impressions on AdNova's display network",
     "slots": {"platform": "AdNova"},
     "lines": [("Audit: botnet faked millions of impressions on AdNova network", "Advertisers paid for fake impressions and bot clicks; several demand refunds over the fraud."),
               ("Is my AdNova traffic all bots?", "After the audit news I checked: thousands of clicks, zero conversions. Feels like fraud."),
               ("Advertisers furious over AdNova bot fraud: 'we were robbed'", "Marketers say they wasted budgets on fake traffic and lost trust in AdNova's reporting."),
               ("AdNova bot scandal: I paid {amount} for fake clicks", "Angry. Stolen budget, fake impressions, no refund yet. Terrible.")]},
    {"topic": "brand_safety", "duration": 5, "magnitude": 5.0, "sentiment_shift": -0.35,
     "description": "Advertiser boycott after ads appeared next to extremist videos on Streamly (served via AdNova)",
     "slots": {"platform": "Streamly"},
     "lines": [("Major brands boycott Streamly after ads run beside extremist videos", "Advertisers paused spending, calling the adjacency to hateful content unacceptable."),
               ("Boycott widens: {advertiser} pauses ads on Streamly", "The company said it was shocked to find its ads next to extremist propaganda."),
               ("My brand's ads played before a hate video on Streamly", "Horrified and angry. Pulled all our ads. Disgusting failure.")]},
    {"topic": "advertiser_accounts", "duration": 4, "magnitude": 7.0, "sentiment_shift": -0.20,
     "description": "Mass wave of AdNova advertiser account suspensions after a faulty automated payment-risk check",
     "slots": {"platform": "AdNova"},
     "lines": [("AdNova suspends thousands of ad accounts in error", "Small businesses woke up to disabled ad accounts; the company blamed a faulty automated check but many lost days of sales."),
               ("AdNova ad account suspended today, anyone else???", "Account disabled for 'suspicious payment activity'. I've paid on time for years. No human to talk to. Furious."),
               ("Mass ad account bans on AdNova leave sellers devastated", "Owners say the wrongful suspensions destroyed holiday sales; many call the failure outrageous and unfair."),
               ("AdNova killed my business overnight", "Ad account suspended with no reason, lost {amount} in sales this week. Angry and desperate."),
               ("AdNova suspension wave: 'worst week for my shop ever'", "Terrible support, broken appeals, lost customers. Furious.")]},
    {"topic": "privacy_targeting", "duration": 3, "magnitude": 4.0, "sentiment_shift": -0.25,
     "description": "AdNova fined by a European data protection authority over ad targeting without consent (GDPR)",
     "slots": {"platform": "AdNova", "regulator": "a European data protection authority"},
     "lines": [("AdNova hit with record GDPR fine over targeted ads", "The regulator said AdNova used personal data for ad targeting without valid consent; privacy groups called it a serious violation."),
               ("AdNova fined {amount}m for tracking users without consent", "Critics slammed the illegal tracking and called the abuse of personal data shameful."),
               ("AdNova tracked me without consent and got fined. Disgusting.", "Creepy, illegal targeting. I'm angry and deleting my account.")]},
    {"topic": "ad_experience", "duration": 5, "magnitude": 3.0, "sentiment_shift": -0.10,
     "description": "Streamly doubles ad load with unskippable mid-rolls; wave of angry app reviews",
     "slots": {"platform": "Streamly", "app": "Streamly"},
     "lines": [("Streamly's new unskippable ads spark user revolt", "Reviews flooded in after the update added unskippable mid-roll ads; users call it terrible."),
               ("1 star. Streamly now shows 4 unskippable ads per episode", "Used to love it. Now it's unwatchable. Cancelling."),
               ("Streamly ads are unbearable now", "Unskippable ads every few minutes. Awful, annoying, hate it. Uninstalled."),
               ("Worst Streamly update ever", "Terrible ad load, ruined the app. Angry subscriber.")]},
]
POSITIVE_EVENT = {
    "topic": "scam_ads", "duration": 2, "magnitude": 2.0, "sentiment_shift": 0.15,
    "description": "AdNova announces a scam-ad crackdown with advertiser verification (positive coverage, not an incident)",
    "slots": {"platform": "AdNova"},
    "lines": [("AdNova launches sweeping crackdown on scam ads", "The company removed thousands of fraudulent advertisers and introduced mandatory verification; consumer groups praised the move."),
              ("Finally! AdNova is cleaning up scam ads", "Great news, the new verification should help a lot. Happy to see this.")],
}

# Per-source-type mixes
POLARITY_MIX = {"news": (0.52, 0.28, 0.20), "trade_press": (0.42, 0.42, 0.16), "forum": (0.70, 0.13, 0.17),
                "review": (0.78, 0.0, 0.22), "social": (0.62, 0.18, 0.20)}  # (negative, neutral, positive)
TOPIC_WEIGHTS: dict[str, dict[str, float]] = {
    "news": {"scam_ads": 1.8, "misleading_claims": 1.5, "counterfeit_goods": 1.2, "prohibited_products": 1, "adult_content_ads": 0.7,
             "political_ads": 2, "ad_fraud": 1.5, "advertiser_accounts": 1, "creator_payouts": 1, "privacy_targeting": 2,
             "policy_enforcement": 1, "brand_safety": 1.8, "ad_experience": 1},
    "trade_press": {"scam_ads": 1.5, "misleading_claims": 1, "counterfeit_goods": 0.8, "prohibited_products": 0.6, "adult_content_ads": 0.5,
                    "political_ads": 1.2, "ad_fraud": 3, "advertiser_accounts": 1.2, "creator_payouts": 1, "privacy_targeting": 2.2,
                    "policy_enforcement": 1.5, "brand_safety": 2.5, "ad_experience": 1},
    "forum": {"scam_ads": 1.2, "misleading_claims": 0.6, "counterfeit_goods": 1, "prohibited_products": 0.3, "adult_content_ads": 0.3,
              "political_ads": 0.2, "ad_fraud": 1.2, "advertiser_accounts": 3, "creator_payouts": 3, "privacy_targeting": 0.5,
              "policy_enforcement": 2.5, "brand_safety": 0.5, "ad_experience": 1},
    "review": {"scam_ads": 1.7, "misleading_claims": 1.5, "counterfeit_goods": 1.2, "prohibited_products": 0.6, "adult_content_ads": 1,
               "political_ads": 0.5, "ad_fraud": 0.3, "advertiser_accounts": 0.6, "creator_payouts": 0.5, "privacy_targeting": 1,
               "policy_enforcement": 0.5, "brand_safety": 0.5, "ad_experience": 3},
    "social": {"scam_ads": 1.6, "misleading_claims": 1, "counterfeit_goods": 1, "prohibited_products": 0.7, "adult_content_ads": 0.6,
               "political_ads": 1.5, "ad_fraud": 0.8, "advertiser_accounts": 1.2, "creator_payouts": 1.5, "privacy_targeting": 1.2,
               "policy_enforcement": 1, "brand_safety": 1, "ad_experience": 1.6},
}
# Per-source nudges on top of the type's topic weights (sellers talk accounts, creators talk payouts).
SOURCE_TOPIC_BOOST: dict[str, dict[str, float]] = {
    "seller_forum": {"creator_payouts": 0.25, "advertiser_accounts": 1.5, "counterfeit_goods": 1.6, "misleading_claims": 1.5},
    "creator_forum": {"advertiser_accounts": 0.35, "counterfeit_goods": 0.3, "creator_payouts": 1.5, "ad_experience": 1.5},
    "complaint_board": {"ad_experience": 0.5, "scam_ads": 1.4, "counterfeit_goods": 1.5, "misleading_claims": 1.5},
}


def topic_weight(src: Source, topic: str) -> float:
    return TOPIC_WEIGHTS[src.type][topic] * SOURCE_TOPIC_BOOST.get(src.id, {}).get(topic, 1.0)


# Relative daily share of items per source (scaled to the daily mean).
SOURCE_SHARE = {"global_newswire": 24, "metro_daily": 18, "adtech_insider": 15, "marketing_ledger": 12, "seller_forum": 22,
                "creator_forum": 22, "app_reviews": 26, "complaint_board": 18, "social_stream": 32, "eurowire": 16}
INCIDENT_SOURCE_TYPES = {"forum": 3.0, "social": 3.0, "review": 2.0, "news": 2.0, "trade_press": 0.7}
LANG_NAMES = ("de", "fr", "es", "it")
EUROWIRE_LANGS = (("de", 40), ("fr", 22), ("es", 15), ("it", 8), ("en", 15))


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str
    type: str
    language: str
    domain: str


@dataclass
class Item:
    """One generated feed item plus its truth. `xml` is rendered once, so a repeat is byte-identical."""

    guid: str
    source_id: str
    date: str
    published: datetime | None
    title: str
    summary_html: str
    link: str | None
    author: str | None
    category: str | None
    topics: list[str]
    polarity: str
    language: str
    story_id: str
    syndicated_from: str | None = None
    incident_id: str | None = None
    defect: str | None = None
    use_cdata: bool = False
    xml: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class _Slots(dict):
    """Lazy slot values for str.format_map: drawn once per item so a template stays consistent."""

    def __init__(self, rng: random.Random, overrides: dict[str, str] | None = None):
        super().__init__(overrides or {})
        self.rng = rng
        self.extra_topics: list[str] = []

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "platform":
            value = _weighted(rng, PLATFORMS)
        elif key == "amount":
            value = rng.choice(("$", "$", "£", "€")) + f"{rng.choice((350, 800, 1200, 2500, 4000, 7500, 12000, 30000, 65000)):,}"
        elif key == "pct":
            value = str(rng.randint(8, 64))
        elif key == "count":
            value = f"{rng.choice((12, 40, 150, 300, 1200, 4500, 9000, 25000)):,}"
        elif key == "days":
            value = str(rng.randint(2, 21))
        elif key == "tag":
            value = ""  # filled by the caller with topic hashtags
        elif key == "app" and "platform" in self:  # keep a review's app and platform consistent
            value = "AdNova Publisher" if self["platform"] == "AdNova" else self["platform"]
        elif key in SLOTS:
            value = rng.choice(SLOTS[key])
        else:
            raise KeyError(f"unknown template slot {{{key}}}")
        self[key] = value
        return value


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def _fill(template: str, slots: _Slots) -> str:
    """Fill a template; a trailing ` ||topic` marker records an extra truth topic for the item."""
    template, *marks = template.split(" ||")
    for topic in marks:
        if topic not in TOPICS:
            raise ValueError(f"unknown topic marker {topic!r} in template {template!r}")
        if topic not in slots.extra_topics:
            slots.extra_topics.append(topic)
    return template.format_map(slots).strip()


def _topics(primary: str, slots: _Slots) -> list[str]:
    return [primary] + [t for t in slots.extra_topics if t != primary]


def load_sources(path: Path = SOURCES_YML) -> list[Source]:
    """The sample sources from config/sources.yml (id, kind, type, default language)."""
    try:
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"sources config not found at {path}: the generator reads source ids and kinds from it") from exc
    sources = []
    for raw in cfg.get("sources") or []:
        if raw["kind"] not in ("rss", "atom"):
            raise ValueError(f"source {raw['id']}: kind must be rss or atom, got {raw['kind']!r}")
        if raw.get("type") not in POLARITY_MIX:
            raise ValueError(f"source {raw['id']}: unsupported type {raw.get('type')!r}")
        domain = raw["id"].replace("_", "-") + ".example"
        sources.append(Source(raw["id"], raw.get("name", raw["id"]), raw["kind"], raw["type"],
                              raw.get("language", "en"), domain))
    if not sources:
        raise ValueError(f"no sources in {path}")
    return sources


# ----------------------------------------------------------------------------------------------
# Text generation
# ----------------------------------------------------------------------------------------------
def _hashtags(rng: random.Random, topics: Sequence[str]) -> str:
    tags = [rng.choice(HASHTAGS[t]) for t in topics if t in HASHTAGS]
    return " ".join(dict.fromkeys(tags))


def _topic_text(rng: random.Random, topic: str, polarity: str, stype: str, slots: _Slots) -> tuple[str, str]:
    """(title, summary) for one topical item in the style of the source type."""
    bank = BANK[topic]
    slots["tag"] = _hashtags(rng, [topic])
    if polarity == "positive":
        if stype in ("forum", "review", "social") and bank.get("pos_voice") and rng.random() < 0.75:
            line = _fill(rng.choice(bank["pos_voice"]), slots)
            if stype == "review":
                return _fill(rng.choice(REVIEW_TITLES_POS), slots), f"{rng.choice((4, 5))} stars. {line}"
            if stype == "social":
                return line, f"{line} {slots['tag']}"
            return line.split(".")[0][:90], line
        return _fill(rng.choice(bank["pos"]["title"]), slots), _fill(rng.choice(bank["pos"]["summary"]), slots)
    if polarity == "neutral":
        title = _fill(rng.choice(bank["neu"]["title"]), slots)
        summary = _fill(rng.choice(bank["neu"]["summary"]), slots)
        if stype == "forum":
            return f"{rng.choice(('PSA:', 'FYI:', 'Heads up:'))} {title}", f"{summary} Posting here in case it affects anyone."
        if stype == "social":
            return title, f"{title}. {summary} {slots['tag']}"
        return title, summary
    # negative
    if stype == "trade_press":
        src = bank["trade"] if rng.random() < 0.65 else bank["neg"]
        return _fill(rng.choice(src["title"]), slots), _fill(rng.choice(bank["trade"]["summary"]), slots)
    if stype == "forum":
        title = _vary_forum_title(rng, _fill(rng.choice(bank["voice"]["title"]), slots), slots)
        return title, _fill(rng.choice(bank["voice"]["body"]), slots) + rng.choice(FORUM_CLOSERS)
    if stype == "review":
        body = _fill(rng.choice(bank["review"]), slots)
        title = body.split(".")[0][:60] if rng.random() < 0.4 else _fill(rng.choice(REVIEW_TITLES_NEG), slots)
        stars = rng.choice((1, 1, 1, 2))
        return title, f"{stars} star{'s' if stars > 1 else ''}. {body}"
    if stype == "social":
        post = rng.choice(SOCIAL_OPENERS).format_map(slots) + _fill(rng.choice(bank["social"]), slots)
        return post.split(" #")[0][:120], post
    summary = _fill(rng.choice(bank["neg"]["summary"]), slots)
    if rng.random() < 0.3:
        summary += " " + rng.choice(("The company did not respond to a request for comment.",
                                     "A spokesperson said the company is investigating.",
                                     "Critics say the problem has been ignored for months."))
    return _fill(rng.choice(bank["neg"]["title"]), slots), summary


FORUM_PREFIXES = ("", "", "", "", "Help: ", "Rant: ", "Question: ", "Urgent: ", "[{platform}] ", "Update: ", "Advice needed - ")
FORUM_SUFFIXES = ("", "", "", "", " (again)", " ??", " ({country})", " - need help", " - day {days}", " - any tips?", " (long post)")
FORUM_CLOSERS = ("", "", " Anyone else?", " Any advice appreciated.", " Thanks for reading.", " Edit: still nothing.",
                 " Edit: support finally replied with a template.", " Not sure what else to do.")


def _vary_forum_title(rng: random.Random, title: str, slots: _Slots) -> str:
    """Forum threads rarely share a title word for word: add the prefixes and tails people type."""
    prefix = rng.choice(FORUM_PREFIXES).format_map(slots)
    suffix = rng.choice(FORUM_SUFFIXES).format_map(slots)
    if prefix and title[:1].isupper() and not title.startswith(("I ", "AdNova", "Streamly", "Chirp", "ShopSphere", "Pixelgram")):
        title = title[0].lower() + title[1:]
    return f"{prefix}{title}{suffix}"


# Topic-neutral on purpose: the topic of a review lives in its body, so titles must not add one.
REVIEW_TITLES_NEG = ("Avoid", "Deleted", "Disappointed", "Worst update ever", "Terrible", "Uninstalling", "What happened to {app}?",
                     "Used to be good", "Rubbish", "Not worth it", "Frustrating", "Awful experience", "Never again",
                     "{app} has gone downhill", "Very disappointed", "Do better", "Not happy", "Shameful", "One star is too many")
REVIEW_TITLES_POS = ("Love it", "Much better now", "Great improvement", "5 stars", "Finally!", "Big improvement",
                     "Good job {app}", "Happy with this update", "Works great", "Better than before")
SOCIAL_OPENERS = ("", "", "", "", "Ugh. ", "Honestly, ", "Not again. ", "Day {days}: ", "{handle} ", "Thread: ", "So... ", "Wow. ")

NEWS_NOISE_PARTS: dict[str, Sequence[str]] = {
    "biz": ("shares rise after earnings beat", "to cut {count} jobs in restructuring", "names new chief executive",
            "opens new office in {city}", "raises prices for the second time this year", "beats profit forecasts",
            "delays product launch to next year", "agrees takeover of {company2}", "shares fall on weak outlook",
            "invests in new factory in {country}", "settles patent dispute", "reports record quarterly sales"),
    "sport_verb": ("beat", "edge past", "draw with", "lose to", "thrash", "come back to beat", "hold"),
    "weather": ("Heatwave", "Storm warning", "Heavy rain", "Early frost", "Wildfire risk", "Strong winds", "Flood alert"),
    "life": ("Ten easy recipes for late summer", "How to sleep better, according to science", "The best hiking trails near {city}",
             "Five houseplants that are hard to kill", "What to pack for a weekend in {city}", "A beginner's guide to running",
             "Why everyone in {city} is learning to bake bread", "The rise of the four-day work week"),
}


def _noise_news(rng: random.Random, slots: _Slots, stype: str = "news") -> tuple[str, str, str]:
    """Irrelevant news: a third from the tricky fixed bank, the rest composed so headlines vary."""
    x = rng.random() if stype != "trade_press" else rng.uniform(0.35, 0.55)  # trade press: business only
    if x < 0.35:
        pol, title, summary = rng.choice(NOISE)
        return pol, _fill(title, slots), _fill(summary, slots)
    slots.setdefault("company2", rng.choice([c for c in SLOTS["company"] if c != slots["company"]]))
    if x < 0.55:
        event = _fill(rng.choice(NEWS_NOISE_PARTS["biz"]), slots)
        pol = "positive" if any(w in event for w in ("beat", "record", "rise")) else (
            "negative" if any(w in event for w in ("cut", "fall", "delay")) else "neutral")
        return pol, f"{slots['company']} {event}", rng.choice((
            "Analysts said the move was widely expected.", "The company will give more details at its investor day.",
            f"The news was announced in {slots['city']} on Tuesday.", "Shares moved sharply in early trading."))
    if x < 0.75:
        team2 = rng.choice([t for t in SLOTS["team"] if t != slots["team"]])
        verb = rng.choice(NEWS_NOISE_PARTS["sport_verb"])
        a, b = rng.randint(0, 4), rng.randint(0, 3)
        if verb in ("lose to",):
            a, b = min(a, b), max(a, b) + 1
        elif verb in ("draw with",):
            b = a
        elif verb in ("beat", "edge past", "thrash", "come back to beat"):
            a, b = max(a, b) + 1, min(a, b)
        pol = "positive" if verb not in ("lose to", "draw with", "hold") else "neutral"
        return pol, f"{slots['team']} {verb} {team2} {a}-{b}", rng.choice((
            "A second-half goal proved decisive.", "The manager praised the squad's resilience.",
            "Fans celebrated a great night at home.", "The result leaves the table tight at the top."))
    if x < 0.87:
        event = rng.choice(NEWS_NOISE_PARTS["weather"])
        return "neutral", f"{event} expected in {slots['city']} this weekend", "Forecasters advise residents to check local updates."
    title = _fill(rng.choice(NEWS_NOISE_PARTS["life"]), slots)
    return "positive", title, "Simple, practical ideas to enjoy the season."


VOICE_NOISE_PARTS: dict[str, Sequence[str]] = {
    "ask": ("Best {thing} for {purpose}?", "Which {thing} do you use for {purpose}?", "Recommendations: {thing} for {purpose}",
            "Is a new {thing} worth it for {purpose}?"),
    "thing": ("shipping carrier", "label printer", "camera", "microphone", "lighting kit", "accounting tool", "packaging supplier",
              "editing software", "tripod", "inventory app"),
    "purpose": ("small parcels", "product photos", "a home studio", "beginners", "under {amount}", "orders to {country}",
                "weekly videos", "a craft shop"),
    "happy": ("Hit {count} subscribers today!", "First sale to {country}!", "Finally finished my first video series",
              "Our shop turns one today", "Best month of sales so far", "Launched my new product line today"),
    "app": ("Great update, love the dark mode", "App crashes when I open settings", "Search is broken since the update",
            "Love the new editor", "Battery drain after update", "Login keeps failing", "Fast and simple, works well",
            "Notifications stopped working"),
}


# Consumer complaints and reviews about things other than ads (some with "charged twice",
# "refund", "scam", "account suspended" in a non-ad sense).
COMPLAINT_NOISE: list[tuple[str, str, str]] = [
    ("negative", "{company} lost my luggage and won't respond", "2 stars. Three weeks, no bag, no answer. Terrible customer service."),
    ("negative", "Pinecrest Bank charged my card twice for one purchase", "1 star. The bank says the refund takes 10 days. Ridiculous."),
    ("negative", "Gym membership cancelled but still being billed", "1 star. They keep taking money every month. Avoid."),
    ("negative", "Parcel marked delivered, never arrived", "1 star. Courier says it's not their problem. Awful."),
    ("negative", "Energy supplier suspended my online account", "2 stars. Locked out of my energy account for a week after a password reset."),
    ("negative", "Fake tech support phone scam used {company}'s name", "1 star. Caller claimed my computer was hacked and wanted remote access. Reported to police."),
    ("positive", "Refund from {company} arrived quickly", "5 stars. Friendly support, money back in two days. Great."),
    ("neutral", "Delivery slot changed without notice", "3 stars. It arrived in the end, but the notification came late."),
    ("positive", "Helpful staff at the {city} store", "5 stars. They fixed my phone screen in an hour. Excellent."),
]


def _noise_voice(rng: random.Random, stype: str, slots: _Slots) -> tuple[str, str, str]:
    """Irrelevant first-person posts and reviews (questions, milestones, bug reports)."""
    parts = VOICE_NOISE_PARTS
    if stype == "review" and rng.random() < 0.4:
        pol, title, summary = rng.choice(COMPLAINT_NOISE)
        return pol, _fill(title, slots), _fill(summary, slots)
    if stype != "review" and rng.random() < 0.2:
        pol, title, summary = rng.choice(NOISE_VOICE)
        return pol, _fill(title, slots), _fill(summary, slots)
    if stype == "review":
        title = rng.choice(parts["app"])
        positive = any(w in title for w in ("Great", "Love", "Fast"))
        stars = rng.choice((4, 5)) if positive else rng.choice((1, 2, 3))
        body = ("Really nice, thank you to the team." if positive else
                rng.choice(("Please fix this, it is very annoying.", "Reinstalled twice, still broken.", "Hope the next version fixes it.")))
        return ("positive" if positive else "negative"), title, f"{stars} star{'s' if stars > 1 else ''}. {title}. {body}"
    if rng.random() < 0.6:
        slots.setdefault("thing", rng.choice(parts["thing"]))
        slots.setdefault("purpose", _fill(rng.choice(parts["purpose"]), slots))
        title = _fill(rng.choice(parts["ask"]), slots)
        return "neutral", title, rng.choice(("Looking for real experiences, not ads.", "Budget is tight, any tips welcome.",
                                             "Currently comparing three options.", "Thanks in advance!"))
    title = _fill(rng.choice(parts["happy"]), slots)
    return "positive", title, rng.choice(("Thank you all, this community helped so much. So happy!", "Small wins matter. Great day.",
                                          "Couldn't have done it without the tips here. Thanks!"))


def _summary_html(rng: random.Random, text: str, link: str | None) -> str:
    """Plain text -> the HTML a real feed puts in <description>: paragraphs, entities, read-more links."""
    body = html.escape(text, quote=False)
    if rng.random() < 0.25:
        body = body.replace("'", "&#8217;")
    if rng.random() < 0.1:
        body = body.replace(". ", ".&nbsp; ", 1)
    out = f"<p>{body}</p>" if rng.random() < 0.6 else body
    if link and rng.random() < 0.3:
        out += f' <a href="{html.escape(link)}">Read more</a>'
    if rng.random() < 0.05:
        out += '<img src="https://cdn.example/pixel.gif" width="1" height="1" alt="">'
    return out


# ----------------------------------------------------------------------------------------------
# XML rendering (strings, so CDATA and byte-identical repeats are easy)
# ----------------------------------------------------------------------------------------------
def _rfc822(ts: datetime) -> str:
    return ts.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _rfc3339(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _render_rss_item(item: Item, default_lang: str) -> str:
    parts = ["    <item>"]
    if item.title:
        parts.append(f"      <title>{xml_escape(item.title)}</title>")
    if item.link:
        parts.append(f"      <link>{xml_escape(item.link)}</link>")
    if item.guid and item.defect != "no_link_no_guid":
        parts.append(f'      <guid isPermaLink="false">{xml_escape(item.guid)}</guid>')
    if item.published:
        parts.append(f"      <pubDate>{_rfc822(item.published)}</pubDate>")
    if item.summary_html:
        if item.use_cdata:
            parts.append(f"      <description><![CDATA[{item.summary_html}]]></description>")
        else:
            parts.append(f"      <description>{xml_escape(item.summary_html)}</description>")
    if item.author:
        parts.append(f"      <dc:creator>{xml_escape(item.author)}</dc:creator>")
    if item.category:
        parts.append(f"      <category>{xml_escape(item.category)}</category>")
    if item.language != default_lang:
        parts.append(f"      <dc:language>{item.language}</dc:language>")
    parts.append("    </item>")
    return "\n".join(parts)


def _render_atom_entry(item: Item, default_lang: str) -> str:
    lang = f" xml:lang={quoteattr(item.language)}" if item.language != default_lang else ""
    parts = [f"  <entry{lang}>"]
    if item.guid and item.defect != "no_link_no_guid":
        parts.append(f"    <id>{xml_escape(item.guid)}</id>")
    if item.title:
        parts.append(f"    <title>{xml_escape(item.title)}</title>")
    if item.link:
        parts.append(f'    <link rel="alternate" type="text/html" href={quoteattr(item.link)}/>')
    if item.published:
        parts.append(f"    <published>{_rfc3339(item.published)}</published>")
        parts.append(f"    <updated>{_rfc3339(item.published)}</updated>")
    if item.summary_html:
        parts.append(f'    <summary type="html">{xml_escape(item.summary_html)}</summary>')
    if item.author:
        parts.append(f"    <author><name>{xml_escape(item.author)}</name></author>")
    if item.category:
        parts.append(f"    <category term={quoteattr(item.category)}/>")
    if item.language != default_lang:
        parts.append(f"    <dc:language>{item.language}</dc:language>")
    parts.append("  </entry>")
    return "\n".join(parts)


def _render_feed(src: Source, day: date, items: Sequence[Item]) -> str:
    home = f"https://{src.domain}/"
    if src.kind == "rss":
        build = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
        head = ['<?xml version="1.0" encoding="utf-8"?>',
                '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
                "  <channel>",
                f"    <title>{xml_escape(src.name)}</title>",
                f"    <link>{home}</link>",
                f'    <atom:link href="{home}feed.xml" rel="self" type="application/rss+xml"/>',
                f"    <description>{xml_escape(src.name)}: synthetic sample feed for RiskRadar (fictional content)</description>",
                f"    <language>{src.language}</language>",
                f"    <lastBuildDate>{_rfc822(build)}</lastBuildDate>",
                "    <generator>riskradar sample_data/generate.py</generator>"]
        return "\n".join(head + [i.xml for i in items] + ["  </channel>", "</rss>", ""])
    updated = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
    head = ['<?xml version="1.0" encoding="utf-8"?>',
            f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="{src.language}">',
            f"  <title>{xml_escape(src.name)}</title>",
            "  <subtitle>Synthetic sample feed for RiskRadar (fictional content)</subtitle>",
            f"  <id>tag:{src.domain},2026:feed</id>",
            f'  <link rel="alternate" href="{home}"/>',
            f'  <link rel="self" href="{home}atom.xml"/>',
            f"  <updated>{_rfc3339(updated)}</updated>"]
    return "\n".join(head + [i.xml for i in items] + ["</feed>", ""])


# ----------------------------------------------------------------------------------------------
# The generator
# ----------------------------------------------------------------------------------------------
NEWS_SECTIONS = {"topical": "Technology", "industry": "Business", "noise": ("World", "Business", "Sport", "Lifestyle", "Science")}
TRADE_SECTIONS = ("Ad Tech", "Programmatic", "Policy", "Measurement", "Brand Safety")
FORUM_SECTIONS = ("Ads & Marketing", "Payments", "Account Help", "General", "Monetization")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = "".join(c if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words[:8]) or "item"


def layout_incidents(days: int) -> list[tuple[int, int]]:
    """(start_index, end_index inclusive) per entry of INCIDENTS, all after the baseline window when possible."""
    fracs = [0.05 + 0.9 * k / max(1, len(INCIDENTS) - 1) for k in range(len(INCIDENTS))]
    first = BASELINE_DAYS if days >= BASELINE_DAYS + 2 else max(1, days // 2)
    window = days - first
    spans: list[tuple[int, int]] = []
    if days < 4 or window < 1:
        return spans
    for spec, frac in zip(INCIDENTS, fracs, strict=True):
        dur = max(1, min(spec["duration"], window))
        start = first + round(frac * (window - dur))
        spans.append((start, start + dur - 1))
    return spans


# Copy-desk edits a syndicated headline gets: a label, a tense or word swap, a clause cut or added.
_HEADLINE_LABELS = ("Update: ", "Report: ", "Exclusive: ", "Breaking: ", "Watch: ")
_HEADLINE_SWAPS = (("says", "said"), ("warns", "warned"), ("finds", "found"), ("launches", "rolls out"),
                   ("users", "people"), ("new", "latest"), ("after", "following"),
                   ("report", "study"), ("over", "amid"), ("in", "across"))
_HEADLINE_TAILS = (", sources say", " (updated)", ", report says", " -- what we know")


def edit_headline(rng: random.Random, title: str) -> str:
    """A syndicated copy's headline: unchanged (30%) or with one or two small copy-desk edits."""
    if rng.random() < 0.3:
        return title
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.choice(("label", "swap", "swap", "tail", "cut"))
        words = title.split(" ")
        if kind == "label":
            title = rng.choice(_HEADLINE_LABELS) + title
        elif kind == "swap":
            options = [(i, new) for i, w in enumerate(words) for old, new in _HEADLINE_SWAPS if w.lower() == old]
            if options:
                i, new = rng.choice(options)
                words[i] = new[:1].upper() + new[1:] if words[i][:1].isupper() else new
                title = " ".join(words)
        elif kind == "tail":
            title = title.rstrip(".") + rng.choice(_HEADLINE_TAILS)
        elif kind == "cut" and "," in title and title.index(",") > len(title) // 2:
            title = title[: title.rindex(",")]
    return title



class _Corpus:
    def __init__(self, sources: list[Source], start: date, days: int, mean: float, seed: int):
        self.sources = sources
        self.by_id = {s.id: s for s in sources}
        self.start = start
        self.days = days
        self.mean = mean
        self.seed = seed
        self.rng = random.Random(seed)
        self.items: dict[tuple[str, int], list[Item]] = {(s.id, d): [] for s in sources for d in range(days)}
        self.seq: dict[tuple[str, int], int] = {}
        self.story_seq = 0
        share_total = sum(SOURCE_SHARE.get(s.id, 15) for s in sources)
        self.share = {s.id: SOURCE_SHARE.get(s.id, 15) / share_total for s in sources}

    # -- item construction ------------------------------------------------------------------
    def _day(self, d: int) -> date:
        return self.start + timedelta(days=d)

    def _new_story(self, d: int) -> str:
        self.story_seq += 1
        return f"st-{self._day(d):%Y%m%d}-{self.story_seq:06d}"

    def _timestamp(self, d: int, after: datetime | None = None) -> datetime:
        day = self._day(d)
        base = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if after is not None:
            ts = after + timedelta(minutes=self.rng.randint(5, 240))
            return ts if ts.date() == day else base + timedelta(hours=23, minutes=59, seconds=self.rng.randint(0, 59))
        # more items in the daytime hours (UTC), like a real stream
        hour = min(23, max(0, int(self.rng.triangular(0, 24, 14))))
        return base + timedelta(hours=hour, minutes=self.rng.randint(0, 59), seconds=self.rng.randint(0, 59))

    def _author(self, src: Source) -> str | None:
        rng = self.rng
        p_missing = {"news": 0.15, "trade_press": 0.2, "forum": 0.03, "review": 0.1, "social": 0.05}[src.type]
        if rng.random() < p_missing:
            return None
        if src.type in ("news", "trade_press"):
            return rng.choice(SLOTS["reporter"])
        if src.type == "social":
            return rng.choice(SLOTS["handle"])
        return rng.choice(SLOTS["user"])

    def _link(self, src: Source, d: int, seq: int, title: str, section: str | None) -> str:
        rng = self.rng
        day = self._day(d)
        slug = _slug(title)
        if src.type == "forum":
            url = f"https://{src.domain}/t/{slug}/{day:%Y%m%d}{seq:04d}"
        elif src.type == "review":
            url = f"https://{src.domain}/reviews/{day:%Y%m%d}{seq:04d}"
        elif src.type == "social":
            url = f"https://{src.domain}/status/{day:%Y%m%d}{seq:05d}"
        else:
            url = f"https://{src.domain}/{_slug(section or 'news')}/{day:%Y/%m/%d}/{slug}-{seq}"
        if rng.random() < 0.35:
            url += "?utm_source=rss&utm_medium=feed&utm_campaign=" + rng.choice(("daily", "topnews", "ads-weekly"))
        if rng.random() < 0.08:
            url += "#" + rng.choice(("comments", "top", "reply-1"))
        return url

    def _make(self, src: Source, d: int, title: str, summary: str, topics: list[str], polarity: str, language: str,
              kind: str, *, story_id: str | None = None, published: datetime | None = None,
              syndicated_from: str | None = None, incident_id: str | None = None, allow_defect: bool = True) -> Item:
        rng = self.rng
        seq = self.seq.get((src.id, d), 0) + 1
        self.seq[(src.id, d)] = seq
        day = self._day(d)
        if src.kind == "atom":
            guid = f"tag:{src.domain},{day.isoformat()}:{seq:04d}"
        else:
            guid = f"{src.id.replace('_', '-')}-{day:%Y%m%d}-{seq:04d}"
        if src.type in ("news", "eurowire"):
            section = NEWS_SECTIONS["noise"] if kind == "noise" else NEWS_SECTIONS[kind]
            category = rng.choice(section) if isinstance(section, tuple) else section
        elif src.type == "trade_press":
            category = rng.choice(TRADE_SECTIONS)
        elif src.type == "forum":
            category = rng.choice(FORUM_SECTIONS)
        else:
            category = None
        link = self._link(src, d, seq, title, category)
        item = Item(guid=guid, source_id=src.id, date=day.isoformat(),
                    published=published or self._timestamp(d), title=title, summary_html="",
                    link=link, author=self._author(src), category=category, topics=topics, polarity=polarity,
                    language=language, story_id=story_id or self._new_story(d), syndicated_from=syndicated_from,
                    incident_id=incident_id)
        item.summary_html = _summary_html(rng, summary, link) if summary else ""
        item.use_cdata = src.kind == "rss" and rng.random() < 0.06
        item.extra["kind"] = kind
        item.extra["summary_text"] = summary
        if allow_defect:
            x = rng.random()
            if x < 0.001:
                item.defect = "no_title_no_description"
                item.title, item.summary_html = "", ""
            elif x < 0.002:
                item.defect = "no_link_no_guid"
                item.link = None
            elif x < 0.005:
                item.published = None  # ingest falls back to the interval time
        self.items[(src.id, d)].append(item)
        return item

    # -- content choice -----------------------------------------------------------------------
    def _language(self, src: Source) -> str:
        if src.id == "eurowire" or (src.language != "en" and src.type == "news"):
            return _weighted(self.rng, EUROWIRE_LANGS)
        if self.rng.random() < 0.03:
            return self.rng.choice(LANG_NAMES)
        return "en"

    def _foreign(self, src: Source, lang: str, want_topic: bool | None, topic: str | None = None,
                 slots: _Slots | None = None) -> tuple[str, str, list[str], str, str]:
        rng = self.rng
        slots = slots if slots is not None else _Slots(rng)
        slots["tag"] = ""
        if src.type in ("forum", "review", "social") and want_topic is not False and rng.random() < 0.5:
            cands = [v for v in FOREIGN_VOICE if v[0] == lang and (topic is None or v[1] == topic)]
            if cands:
                _, t, pol, line = rng.choice(cands)
                text = _fill(line, slots)
                return text.split(".")[0][:90], text, [t] if t else [], pol, "topical"
        cands = [f for f in FOREIGN if f[0] == lang and (topic is None or f[1] == topic)
                 and (want_topic is None or (f[1] is not None) == want_topic)]
        if not cands:
            cands = [f for f in FOREIGN if f[0] == lang]
        _, t, pol, title, summary = rng.choice(cands)
        return _fill(title, slots), _fill(summary, slots), [t] if t else [], pol, "topical" if t else "noise"

    def _polarity(self, stype: str) -> str:
        neg, neu, _ = POLARITY_MIX[stype]
        x = self.rng.random()
        return "negative" if x < neg else "neutral" if x < neg + neu else "positive"

    def _base_item(self, src: Source, d: int) -> Item:
        rng = self.rng
        lang = self._language(src)
        stype = src.type
        x = rng.random()
        kind = "topical" if x < 0.60 else "noise" if x < 0.90 else "industry"
        if stype == "review" and kind == "industry":
            kind = "noise"
        if lang != "en":
            title, summary, topics, pol, kind2 = self._foreign(src, lang, want_topic=(kind == "topical"))
            return self._make(src, d, title, summary, topics, pol, lang, kind2)
        slots = _Slots(rng)
        if kind == "noise":
            if stype in ("forum", "review") or (stype == "social" and rng.random() < 0.5):
                pol, title, summary = _noise_voice(rng, stype, slots)
            else:
                pol, title, summary = _noise_news(rng, slots, stype)
            return self._make(src, d, title, summary, [], pol, lang, "noise")
        if kind == "industry":
            pol, title, summary = rng.choice(INDUSTRY)
            return self._make(src, d, _fill(title, slots), _fill(summary, slots), [], pol, lang, "industry")
        if stype in ("news", "trade_press") and rng.random() < 0.14:
            a, b, pol, title, summary = rng.choice(PAIRS)
            return self._make(src, d, _fill(title, slots), _fill(summary, slots), [a, b], pol, lang, "topical")
        topic = _weighted(rng, [(t, topic_weight(src, t)) for t in TOPICS])
        pol = self._polarity(stype)
        title, summary = _topic_text(rng, topic, pol, stype, slots)
        return self._make(src, d, title, summary, _topics(topic, slots), pol, lang, "topical")

    def _event_item(self, src: Source, d: int, spec: dict[str, Any], incident_id: str | None, positive: bool) -> Item:
        rng = self.rng
        lang = self._language(src)
        topic = spec["topic"]
        slots = _Slots(rng, dict(spec.get("slots", {})))
        if positive:
            pol = "positive" if rng.random() < 0.85 else "neutral"
        else:
            x = rng.random()
            pol = "negative" if x < 0.92 else "neutral" if x < 0.98 else "positive"
        if lang != "en":
            title, summary, _, fpol, _ = self._foreign(src, lang, want_topic=True, topic=topic, slots=slots)
            return self._make(src, d, title, summary, [topic], fpol, lang, "topical", incident_id=incident_id)
        if pol != "neutral" and (pol == "negative") != positive:
            title, summary = _topic_text(rng, topic, pol, src.type, slots)
        elif rng.random() < 0.55 and pol != "neutral":
            title, summary = (_fill(s, slots) for s in rng.choice(spec["lines"]))
            if src.type == "social":
                slots["tag"] = _hashtags(rng, [topic])
                summary = f"{summary} {slots['tag']}"
        else:
            title, summary = _topic_text(rng, topic, pol, src.type, slots)
        return self._make(src, d, title, summary, _topics(topic, slots), pol, lang, "topical", incident_id=incident_id)

    # -- passes -------------------------------------------------------------------------------
    def generate_base(self) -> None:
        for d in range(self.days):
            weekday = self._day(d).weekday()
            for src in self.sources:
                factor = 1.0 if weekday < 5 else (1.15 if src.type in ("social", "review") else 0.75)
                n = max(3, round(self.mean * self.share[src.id] * factor * self.rng.uniform(0.85, 1.15)))
                for _ in range(n):
                    self._base_item(src, d)

    def english_counts(self, d: int) -> dict[str, int]:
        counts = dict.fromkeys(TOPICS, 0)
        for src in self.sources:
            for it in self.items[(src.id, d)]:
                if it.language == "en" and not it.defect:
                    for t in it.topics:
                        counts[t] += 1
        return counts

    def _pick_event_source(self, topic: str) -> Source:
        """Incident chatter comes mostly from forums, social, reviews and news, where the topic lives."""
        pairs = [(s.id, INCIDENT_SOURCE_TYPES.get(s.type, 1.0) * topic_weight(s, topic)
                  * (0.3 if s.language != "en" else 1.0)) for s in self.sources]
        return self.by_id[_weighted(self.rng, pairs)]

    def inject_events(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        spans = layout_incidents(self.days)
        quiet_days = min([s for s, _ in spans] + [self.days])
        quiet_days = max(1, quiet_days)
        baseline = dict.fromkeys(TOPICS, 0.0)
        for d in range(quiet_days):
            for t, n in self.english_counts(d).items():
                baseline[t] += n / quiet_days
        incidents = []
        for k, (spec, (s, e)) in enumerate(zip(INCIDENTS, spans, strict=False), start=1):
            inc_id = f"inc-{k:02d}-{spec['topic']}"
            self._inject(spec, s, e, baseline[spec["topic"]], inc_id, positive=False)
            incidents.append({"incident_id": inc_id, "topic": spec["topic"], "start_date": self._day(s).isoformat(),
                              "end_date": self._day(e).isoformat(), "magnitude": spec["magnitude"],
                              "sentiment_shift": spec["sentiment_shift"], "description": spec["description"],
                              "baseline_daily_mentions": round(baseline[spec["topic"]], 2),
                              "platform": spec["slots"].get("platform")})
        events = []
        if self.days >= BASELINE_DAYS + 4:
            first = BASELINE_DAYS
            s = first + round(0.42 * (self.days - first - POSITIVE_EVENT["duration"]))
            e = s + POSITIVE_EVENT["duration"] - 1
            clash = any(spec["topic"] == POSITIVE_EVENT["topic"] and a <= e and s <= b
                        for spec, (a, b) in zip(INCIDENTS, spans, strict=False))
        if self.days >= BASELINE_DAYS + 4 and not clash:
            self._inject(POSITIVE_EVENT, s, e, baseline[POSITIVE_EVENT["topic"]], None, positive=True)
            events.append({"event_id": "evt-01-positive", "topic": POSITIVE_EVENT["topic"], "polarity": "positive",
                           "start_date": self._day(s).isoformat(), "end_date": self._day(e).isoformat(),
                           "magnitude": POSITIVE_EVENT["magnitude"], "sentiment_shift": POSITIVE_EVENT["sentiment_shift"],
                           "description": POSITIVE_EVENT["description"]})
        return incidents, events

    def _inject(self, spec: dict[str, Any], s: int, e: int, base: float, inc_id: str | None, positive: bool) -> None:
        length = e - s + 1

        shape = [0.6 + 0.8 * math.sin(math.pi * (k + 0.5) / length) for k in range(length)]
        norm = sum(shape) / length  # the mean daily multiplier over the incident equals the magnitude
        for k, d in enumerate(range(s, e + 1)):
            target = round(max(base, 2.0) * (spec["magnitude"] - 1) * shape[k] / norm)
            english = 0
            guard = 0
            while english < target and guard < target * 4 + 20:
                guard += 1
                item = self._event_item(self._pick_event_source(spec["topic"]), d, spec, inc_id, positive)
                if item.language == "en" and not item.defect:
                    english += 1

    def syndicate(self) -> None:
        """~8% of English news/trade stories reappear on 1-2 other news/trade sources the same day.

        Most copies carry a copy-desk edit (see edit_headline), half name the original outlet: an
        exact title match misses them, so story clustering has to recognise near-duplicates.
        """
        rng = self.rng
        # copy desks edit headlines; a separate stream so the edits leave the rest of the corpus as it was
        edits = random.Random(f"syndicate-edits-{self.seed}")
        wires = [s for s in self.sources if s.type in ("news", "trade_press")]
        for d in range(self.days):
            for src in wires:
                for it in list(self.items[(src.id, d)]):
                    if it.language != "en" or it.defect or it.syndicated_from or rng.random() >= 0.08:
                        continue
                    others = [w for w in wires if w.id != src.id]
                    for target in rng.sample(others, k=min(len(others), rng.choice((1, 1, 2)))):
                        title = edit_headline(edits, it.title)
                        if rng.random() < 0.5:
                            title = f"{title} - {src.name.replace(' (synthetic)', '')}"
                        summary = it.extra["summary_text"]
                        if rng.random() < 0.4:
                            summary = summary.split(". ")[0].rstrip(".") + "."
                        self._make(target, d, title, summary, list(it.topics), it.polarity, "en", it.extra["kind"],
                                   story_id=it.story_id, published=self._timestamp(d, after=it.published or None),
                                   syndicated_from=it.guid, incident_id=it.incident_id, allow_defect=False)

    # -- output -------------------------------------------------------------------------------
    def write(self, out: Path) -> dict[str, int]:
        per_source = dict.fromkeys(self.by_id, 0)
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        for src in self.sources:
            (out / src.id).mkdir(parents=True, exist_ok=True)
            previous: list[Item] = []
            for d in range(self.days):
                new = self.items[(src.id, d)]
                new.sort(key=lambda i: (i.published or epoch, i.guid), reverse=True)
                for it in new:
                    if not it.xml:
                        it.xml = (_render_rss_item if src.kind == "rss" else _render_atom_entry)(it, src.language)
                pool = [i for i in previous if not i.defect and i.published]
                repeats = self.rng.sample(pool, k=min(len(pool), self.rng.randint(2, 5))) if pool else []
                repeats.sort(key=lambda i: (i.published, i.guid), reverse=True)
                text = _render_feed(src, self._day(d), new + repeats)
                (out / src.id / f"{self._day(d).isoformat()}.xml").write_text(text, encoding="utf-8")
                for r in repeats:
                    r.extra.setdefault("repeated_on", []).append(self._day(d).isoformat())
                per_source[src.id] += len(new)
                previous = new
        return per_source


def build_corpus(sources: list[Source], first: date, days: int, mean: float,
                 seed: int) -> tuple[_Corpus, list[dict[str, Any]], list[dict[str, Any]]]:
    """The whole corpus in memory (items with their truth), its incidents and positive events."""
    corpus = _Corpus(sources, first, days, mean, seed)
    corpus.generate_base()
    incidents, events = corpus.inject_events()
    corpus.syndicate()
    return corpus, incidents, events


def generate(out: Path | str, start: str = "2026-08-01", days: int = 90, items_per_day: int | None = None,
             seed: int = 20260801, sources_path: Path | str | None = None) -> dict[str, Any]:
    """Write the synthetic corpus and its ground truth under `out`; return a small summary.

    `out` is replaced only file by file (existing per-day files are overwritten). The same
    arguments always produce byte-identical files.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    first = date.fromisoformat(start)
    out = Path(out)
    sources = load_sources(Path(sources_path) if sources_path else SOURCES_YML)
    mean = float(items_per_day if items_per_day is not None else DEFAULT_ITEMS_PER_DAY)
    if mean <= 0:
        raise ValueError(f"items_per_day must be positive, got {items_per_day}")
    corpus, incidents, events = build_corpus(sources, first, days, mean, seed)
    for src in sources:  # stale files from an earlier, longer run would confuse ingest
        if (out / src.id).is_dir():
            shutil.rmtree(out / src.id)
    out.mkdir(parents=True, exist_ok=True)
    per_source = corpus.write(out)

    daily_counts: dict[str, dict[str, int]] = {}
    daily_stories: dict[str, dict[str, int]] = {}
    total = 0
    with (out / "items_truth.jsonl").open("w", encoding="utf-8") as fh:
        for d in range(days):
            day = corpus._day(d).isoformat()
            stories: dict[str, set[str]] = {t: set() for t in TOPICS}
            for src in sources:
                for it in sorted(corpus.items[(src.id, d)], key=lambda i: i.guid):
                    total += 1
                    if it.language == "en" and not it.defect:
                        for t in it.topics:
                            stories[t].add(it.story_id)
                    fh.write(json.dumps({
                        "guid": it.guid, "source_id": it.source_id, "date": it.date,
                        "published": _rfc3339(it.published) if it.published else None,
                        "title": it.title, "link": it.link, "topics": it.topics, "polarity": it.polarity,
                        "language": it.language, "story_id": it.story_id, "syndicated_from": it.syndicated_from,
                        "incident_id": it.incident_id, "defect": it.defect, "kind": it.extra["kind"],
                        "repeated_on": it.extra.get("repeated_on", []),
                    }, ensure_ascii=False, sort_keys=True) + "\n")
            daily_counts[day] = corpus.english_counts(d)
            daily_stories[day] = {t: len(stories[t]) for t in TOPICS}

    truth = {
        "generator": GENERATOR, "seed": seed, "start_date": first.isoformat(), "days": days,
        "end_date": corpus._day(days - 1).isoformat(), "items_per_day_mean": mean,
        "sources": [s.id for s in sources], "topics": list(TOPICS),
        "platforms": [p for p, _ in PLATFORMS],
        "incidents": incidents, "positive_events": events,
        "daily_topic_counts": daily_counts, "daily_topic_stories": daily_stories,
        "counting": "daily_topic_counts counts new English items (not previous-day repeats, not defective items) "
                    "per topic on their date; syndicated copies count once per copy. daily_topic_stories counts "
                    "distinct story_id per topic instead.",
        "total_items": total, "per_source": per_source,
    }
    (out / "ground_truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return {"total_items": total, "per_source": per_source, "incidents": len(incidents), "out": str(out),
            "days": days, "start_date": first.isoformat()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate RiskRadar's synthetic sample feed corpus (fictional content).")
    parser.add_argument("--out", default=str(REPO / "data" / "sample_feeds"), help="output directory")
    parser.add_argument("--start", default="2026-08-01", help="first day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=90, help="number of days")
    parser.add_argument("--items-per-day", type=int, default=None, help=f"mean new items per day (default {DEFAULT_ITEMS_PER_DAY})")
    parser.add_argument("--seed", type=int, default=20260801, help="random seed")
    args = parser.parse_args(argv)
    summary = generate(args.out, start=args.start, days=args.days, items_per_day=args.items_per_day, seed=args.seed)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
