{
	"patcher": {
		"fileversion": 1,
		"appversion": {
			"major": 8,
			"minor": 6,
			"revision": 0,
			"architecture": "x64",
			"modernui": 1
		},
		"classnamespace": "box",
		"rect": [
			60,
			80,
			1180,
			720
		],
		"openrect": [
			0,
			0,
			152,
			146
		],
		"openinpresentation": 1,
		"default_fontsize": 10,
		"default_fontface": 0,
		"default_fontname": "Arial Bold",
		"gridonopen": 1,
		"gridsize": [
			8,
			8
		],
		"gridsnaponopen": 1,
		"objectsnaponopen": 1,
		"statusbarvisible": 2,
		"toolbarvisible": 1,
		"devicewidth": 152,
		"description": "SentGen MIDI Tool (Live 12 Transformation): replaces the selected notes of bars 1-2 with the sentgen engine's latest clip, at once.",
		"digest": "Semantic knobs for 2-bar MIDI clips, as a MIDI Tool",
		"tags": "sentgen",
		"style": "",
		"subpatcher_template": "",
		"boxes": [
			{
				"box": {
					"id": "obj-1",
					"maxclass": "newobj",
					"text": "live.miditool.in",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"",
						"",
						""
					],
					"patching_rect": [
						20,
						20,
						109.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-2",
					"maxclass": "newobj",
					"text": "js sentgen_miditool.js 127.0.0.1 9000 9002",
					"numinlets": 2,
					"numoutlets": 6,
					"outlettype": [
						"",
						"",
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						20,
						470,
						270.40000000000003,
						22
					],
					"saved_object_attributes": {
						"filename": "sentgen_miditool.js",
						"parameter_enable": 0
					}
				}
			},
			{
				"box": {
					"id": "obj-3",
					"maxclass": "newobj",
					"text": "live.miditool.out",
					"numinlets": 1,
					"numoutlets": 0,
					"outlettype": [],
					"patching_rect": [
						20,
						540,
						115.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-4",
					"maxclass": "newobj",
					"text": "route 1 2 3 4 5 6 7 8 9 10 11 12",
					"numinlets": 2,
					"numoutlets": 13,
					"outlettype": [
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						300,
						540,
						208.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-5",
					"maxclass": "umenu",
					"varname": "knob1",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"C",
						",",
						"C#",
						",",
						"D",
						",",
						"D#",
						",",
						"E",
						",",
						"F",
						",",
						"F#",
						",",
						"G",
						",",
						"G#",
						",",
						"A",
						",",
						"A#",
						",",
						"B"
					],
					"hint": "Tonic",
					"ignoreclick": 0,
					"annotation": "Knob 1 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						200,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						0,
						0,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-6",
					"maxclass": "newobj",
					"text": "prepend menu 1",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						200,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-7",
					"maxclass": "umenu",
					"varname": "knob2",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"4",
						",",
						"5",
						",",
						"6"
					],
					"hint": "Octave",
					"ignoreclick": 0,
					"annotation": "Knob 2 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						310,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						51,
						0,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-8",
					"maxclass": "newobj",
					"text": "prepend menu 2",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						310,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-9",
					"maxclass": "umenu",
					"varname": "knob3",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"major",
						",",
						"minor",
						",",
						"blues"
					],
					"hint": "Scale",
					"ignoreclick": 0,
					"annotation": "Knob 3 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						420,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						102,
						0,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-10",
					"maxclass": "newobj",
					"text": "prepend menu 3",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						420,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-11",
					"maxclass": "umenu",
					"varname": "knob4",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"11111100",
						",",
						"11111010",
						",",
						"11111001",
						",",
						"11110110",
						",",
						"11110101",
						",",
						"11110011",
						",",
						"11101110",
						",",
						"11101101",
						",",
						"11101011",
						",",
						"11100111",
						",",
						"11011110",
						",",
						"11011101",
						",",
						"11011011",
						",",
						"11010111",
						",",
						"11001111",
						",",
						"10111110",
						",",
						"10111101",
						",",
						"10111011",
						",",
						"10110111",
						",",
						"10101111",
						",",
						"10011111",
						",",
						"01111110",
						",",
						"01111101",
						",",
						"01111011",
						",",
						"01110111",
						",",
						"01101111",
						",",
						"01011111",
						",",
						"00111111"
					],
					"hint": "Rhythm 1",
					"ignoreclick": 0,
					"annotation": "Knob 4 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						530,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						0,
						17,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-12",
					"maxclass": "newobj",
					"text": "prepend menu 4",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						530,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-13",
					"maxclass": "umenu",
					"varname": "knob5",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"11111100",
						",",
						"11111010",
						",",
						"11111001",
						",",
						"11110110",
						",",
						"11110101",
						",",
						"11110011",
						",",
						"11101110",
						",",
						"11101101",
						",",
						"11101011",
						",",
						"11100111",
						",",
						"11011110",
						",",
						"11011101",
						",",
						"11011011",
						",",
						"11010111",
						",",
						"11001111",
						",",
						"10111110",
						",",
						"10111101",
						",",
						"10111011",
						",",
						"10110111",
						",",
						"10101111",
						",",
						"10011111",
						",",
						"01111110",
						",",
						"01111101",
						",",
						"01111011",
						",",
						"01110111",
						",",
						"01101111",
						",",
						"01011111",
						",",
						"00111111"
					],
					"hint": "Rhythm 2",
					"ignoreclick": 0,
					"annotation": "Knob 5 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						640,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						51,
						17,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-14",
					"maxclass": "newobj",
					"text": "prepend menu 5",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						640,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-15",
					"maxclass": "umenu",
					"varname": "knob6",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"up",
						",",
						"down"
					],
					"hint": "Arp 1",
					"ignoreclick": 0,
					"annotation": "Knob 6 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						750,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						102,
						17,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-16",
					"maxclass": "newobj",
					"text": "prepend menu 6",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						750,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-17",
					"maxclass": "umenu",
					"varname": "knob7",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"up",
						",",
						"down"
					],
					"hint": "Arp 2",
					"ignoreclick": 0,
					"annotation": "Knob 7 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						860,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						0,
						34,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-18",
					"maxclass": "newobj",
					"text": "prepend menu 7",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						860,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-19",
					"maxclass": "umenu",
					"varname": "knob8",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"up",
						",",
						"down"
					],
					"hint": "Arp 3",
					"ignoreclick": 0,
					"annotation": "Knob 8 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						970,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						51,
						34,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-20",
					"maxclass": "newobj",
					"text": "prepend menu 8",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						970,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-21",
					"maxclass": "umenu",
					"varname": "knob9",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [
						"up",
						",",
						"down"
					],
					"hint": "Arp 4",
					"ignoreclick": 0,
					"annotation": "Knob 9 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						1080,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						102,
						34,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-22",
					"maxclass": "newobj",
					"text": "prepend menu 9",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						1080,
						160,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-23",
					"maxclass": "umenu",
					"varname": "knob10",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [],
					"hint": "",
					"ignoreclick": 1,
					"annotation": "Knob 10 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						1190,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						0,
						51,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-24",
					"maxclass": "newobj",
					"text": "prepend menu 10",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						1190,
						160,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-25",
					"maxclass": "umenu",
					"varname": "knob11",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [],
					"hint": "",
					"ignoreclick": 1,
					"annotation": "Knob 11 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						1300,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						51,
						51,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-26",
					"maxclass": "newobj",
					"text": "prepend menu 11",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						1300,
						160,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-27",
					"maxclass": "umenu",
					"varname": "knob12",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"int",
						"",
						""
					],
					"parameter_enable": 0,
					"items": [],
					"hint": "",
					"ignoreclick": 1,
					"annotation": "Knob 12 of the engine's current model (empty when the model has fewer knobs).",
					"fontsize": 8,
					"patching_rect": [
						1410,
						120,
						90,
						15
					],
					"presentation": 1,
					"presentation_rect": [
						102,
						51,
						49,
						15
					]
				}
			},
			{
				"box": {
					"id": "obj-28",
					"maxclass": "newobj",
					"text": "prepend menu 12",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						1410,
						160,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-29",
					"maxclass": "live.text",
					"varname": "usesel",
					"text": "Use sel",
					"texton": "Use sel",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "Load the selected notes into the engine so the menus edit them.",
					"annotation_name": "Use sel",
					"patching_rect": [
						200,
						240,
						40,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						0,
						70,
						40,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen usesel",
							"parameter_shortname": "Use sel",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-30",
					"maxclass": "message",
					"text": "usesel",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						200,
						270,
						51.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-31",
					"maxclass": "live.text",
					"varname": "random",
					"text": "Random",
					"texton": "Random",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "A new 2-bar clip from the model.",
					"annotation_name": "Random",
					"patching_rect": [
						300,
						240,
						40,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						42,
						70,
						40,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen random",
							"parameter_shortname": "Random",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-32",
					"maxclass": "message",
					"text": "random",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						300,
						270,
						51.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-33",
					"maxclass": "live.text",
					"varname": "undo",
					"text": "Undo",
					"texton": "Undo",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "Step back in the engine's edit history.",
					"annotation_name": "Undo",
					"patching_rect": [
						400,
						240,
						33,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						84,
						70,
						33,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen undo",
							"parameter_shortname": "Undo",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-34",
					"maxclass": "message",
					"text": "undo",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						400,
						270,
						38.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-35",
					"maxclass": "live.text",
					"varname": "redo",
					"text": "Redo",
					"texton": "Redo",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "Step forward in the engine's edit history.",
					"annotation_name": "Redo",
					"patching_rect": [
						500,
						240,
						33,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						119,
						70,
						33,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen redo",
							"parameter_shortname": "Redo",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-36",
					"maxclass": "message",
					"text": "redo",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						500,
						270,
						38.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-37",
					"maxclass": "comment",
					"text": "SentGen MIDI Tool: waiting for Live...",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						200,
						700,
						300,
						60
					],
					"varname": "status",
					"fontsize": 9,
					"linecount": 5,
					"presentation": 1,
					"presentation_rect": [
						0,
						88,
						152,
						58
					]
				}
			},
			{
				"box": {
					"id": "obj-38",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						520,
						660,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-39",
					"maxclass": "newobj",
					"text": "live.thisdevice",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"bang",
						"int",
						"int"
					],
					"patching_rect": [
						820,
						20,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-40",
					"maxclass": "newobj",
					"text": "deferlow",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						820,
						50,
						59.6,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-41",
					"maxclass": "message",
					"text": "init",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						820,
						80,
						38.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-42",
					"maxclass": "newobj",
					"text": "udpsend 127.0.0.1 9000",
					"numinlets": 1,
					"numoutlets": 0,
					"outlettype": [],
					"patching_rect": [
						940,
						350,
						146.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-43",
					"maxclass": "newobj",
					"text": "udpreceive 9002 @defer 1",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						940,
						50,
						158.8,
						22
					]
				}
			}
		],
		"lines": [
			{
				"patchline": {
					"source": [
						"obj-1",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-1",
						1
					],
					"destination": [
						"obj-2",
						1
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-2",
						0
					],
					"destination": [
						"obj-3",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-2",
						1
					],
					"destination": [
						"obj-1",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-2",
						5
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						0
					],
					"destination": [
						"obj-6",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-6",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						0
					],
					"destination": [
						"obj-5",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-7",
						0
					],
					"destination": [
						"obj-8",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-8",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						1
					],
					"destination": [
						"obj-7",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-9",
						0
					],
					"destination": [
						"obj-10",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-10",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						2
					],
					"destination": [
						"obj-9",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-11",
						0
					],
					"destination": [
						"obj-12",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-12",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						3
					],
					"destination": [
						"obj-11",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-13",
						0
					],
					"destination": [
						"obj-14",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-14",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						4
					],
					"destination": [
						"obj-13",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-15",
						0
					],
					"destination": [
						"obj-16",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-16",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						5
					],
					"destination": [
						"obj-15",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-17",
						0
					],
					"destination": [
						"obj-18",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-18",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						6
					],
					"destination": [
						"obj-17",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-19",
						0
					],
					"destination": [
						"obj-20",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-20",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						7
					],
					"destination": [
						"obj-19",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-21",
						0
					],
					"destination": [
						"obj-22",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-22",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						8
					],
					"destination": [
						"obj-21",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-23",
						0
					],
					"destination": [
						"obj-24",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-24",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						9
					],
					"destination": [
						"obj-23",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-25",
						0
					],
					"destination": [
						"obj-26",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-26",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						10
					],
					"destination": [
						"obj-25",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-27",
						0
					],
					"destination": [
						"obj-28",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-28",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						11
					],
					"destination": [
						"obj-27",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-29",
						0
					],
					"destination": [
						"obj-30",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-30",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-31",
						0
					],
					"destination": [
						"obj-32",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-32",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-33",
						0
					],
					"destination": [
						"obj-34",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-34",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-35",
						0
					],
					"destination": [
						"obj-36",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-36",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-2",
						4
					],
					"destination": [
						"obj-38",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-38",
						0
					],
					"destination": [
						"obj-37",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-39",
						0
					],
					"destination": [
						"obj-40",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-40",
						0
					],
					"destination": [
						"obj-41",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-41",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-43",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-2",
						2
					],
					"destination": [
						"obj-42",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-2",
						3
					],
					"destination": [
						"obj-43",
						0
					]
				}
			}
		],
		"dependency_cache": [
			{
				"name": "sentgen_miditool.js",
				"bootpath": ".",
				"patcherrelativepath": ".",
				"type": "TEXT",
				"implicit": 1
			},
			{
				"name": "sentgen_core.js",
				"bootpath": ".",
				"patcherrelativepath": ".",
				"type": "TEXT",
				"implicit": 1
			}
		],
		"latency": 0,
		"is_mpe": 0,
		"project": {
			"version": 1,
			"autoorganize": 1,
			"hideprojectwindow": 1,
			"showdependencies": 1,
			"autolocalize": 0,
			"contents": {
				"patchers": {},
				"code": {}
			},
			"layout": {},
			"searchpath": {},
			"detailsvisible": 0,
			"amxdtype": 1851880564,
			"readonly": 0,
			"devpathtype": 0,
			"devpath": ".",
			"sortmode": 0,
			"viewmode": 0,
			"includepackages": 0
		},
		"autosave": 0
	}
}
